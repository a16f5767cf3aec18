"""A login the broker refuses, as pika reports it: a wrong password is ProbableAuthenticationError (403
ACCESS_REFUSED), a vhost the user has no permission in is ProbableAccessDeniedError (530 NOT_ALLOWED)."""
import json, sys
import pika
import pika.exceptions as E

try:
    pika.BlockingConnection(pika.URLParameters(sys.argv[1])).close()
    print(json.dumps({"error": None}))
except (E.ProbableAuthenticationError, E.ProbableAccessDeniedError) as e:
    print(json.dumps({"error": type(e).__name__, "text": str(e)}))
