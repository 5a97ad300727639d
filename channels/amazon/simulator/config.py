"""The simulator's fixed identities: the app credentials it accepts and the demo seller it seeds."""

from __future__ import annotations

# These are the defaults of the AMAZON_* settings (CONTRACTS.md), so a fresh checkout talks to the simulator.
LWA_CLIENT_ID = "amzn1.application-oa2-client.avasamsimulator"
LWA_CLIENT_SECRET = "avasam-simulator-secret"
SP_APP_ID = "amzn1.sp.solution.avasam-simulator"
APP_NAME = "Avasam Simulator"

DEMO_SELLER_ID = "A2SIMDEMOSELLER"
UK = "A1F83G8C2ARO7P"
DE = "A1PA6795UKMFR9"
DEMO_MARKETPLACE_IDS = (UK, DE)

# Lifetimes Login with Amazon uses.
AUTHORIZATION_CODE_SECONDS = 5 * 60
ACCESS_TOKEN_SECONDS = 60 * 60

# How long a feed waits in the queue and then processes, in seconds at speedup 1. Amazon takes minutes;
# a few seconds keeps the demo lively while still making clients poll.
FEED_QUEUE_SECONDS = 2.0
FEED_PROCESSING_SECONDS = 3.0

# Received calls kept for inspection.
CALL_LOG_SIZE = 500
