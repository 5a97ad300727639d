FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only FIELD_ENCRYPTION_KEYS=build-only python manage.py collectstatic --noinput
EXPOSE 8000
