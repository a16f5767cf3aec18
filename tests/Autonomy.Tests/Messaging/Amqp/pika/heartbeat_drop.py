"""heartbeat=1 and a client that does no I/O for 5 s (time.sleep, so pika sends no heartbeat): the server drops
the connection after two silent intervals, and the next call raises StreamLostError."""
import json, sys, time
import pika
import pika.exceptions as E

connection = pika.BlockingConnection(pika.URLParameters(sys.argv[1] + "?heartbeat=1"))
channel = connection.channel()
time.sleep(5)
try:
    channel.queue_declare("after-sleep")
    print(json.dumps({"error": None}))
except E.StreamLostError as e:
    print(json.dumps({"error": type(e).__name__}))
