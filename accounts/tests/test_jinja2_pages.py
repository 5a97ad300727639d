from django.template import engines


def test_a_dicts_keys_read_as_attributes_escaped_and_its_methods_stay_methods():
    template = engines["jinja2"].from_string("{{ row.name }}|{{ row.items()|list|length }}|{{ row.missing }}")
    assert template.render({"row": {"name": "<b>Mug</b>", "items": 7}}) == "&lt;b&gt;Mug&lt;/b&gt;|2|"
