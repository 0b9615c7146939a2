"""A bot for Sandbank Chat, standard library only: echoes messages and finishes account
linking (redeems the code with PKCE, reads the accounts). Run it, then give the chat its URL.

    CHAT_APP_SECRET=... CHAT_PAGE_TOKEN=... CHAT_VERIFY_TOKEN=hello python chat_bot.py 9000
"""
import base64, hashlib, hmac, json, os, sys, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHAT = os.environ.get("CHAT_BASE_URL", "http://127.0.0.1:8000")
SECRET, TOKEN = os.environ["CHAT_APP_SECRET"], os.environ["CHAT_PAGE_TOKEN"]
VERIFY = os.environ["CHAT_VERIFY_TOKEN"]
CLIENT = base64.b64encode(b"sandbank-chat:chat-secret").decode()  # public sandbox client
linked = {}  # conversation id -> (issuer, access token); a real bot keeps these in a database


def http(url, body=None, headers=None, form=False):
    data = (urllib.parse.urlencode(body) if form else json.dumps(body)).encode() if body else None
    kind = "application/x-www-form-urlencoded" if form else "application/json"
    request = urllib.request.Request(url, data, {"Content-Type": kind, **(headers or {})})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def send(conversation, text):
    http(f"{CHAT}/demo/chat/api/messages", {"recipient": {"id": conversation},
         "message": {"text": text}}, {"Authorization": f"Bearer {TOKEN}"})


def handle(conversation, event):
    if "account_linking" in event:  # redeem the code the person's bank gave the chat
        link = event["account_linking"]
        tokens = http(f"{link['issuer']}/token", {
            "grant_type": "authorization_code", "code": link["authorization_code"],
            "code_verifier": link["code_verifier"], "redirect_uri": link["redirect_uri"]},
            {"Authorization": f"Basic {CLIENT}"}, form=True)
        linked[conversation] = (link["issuer"], tokens["access_token"])
        accounts = http(f"{link['issuer']}/v1/accounts", headers={
            "Authorization": f"Bearer {tokens['access_token']}"})["data"]
        send(conversation, "Bot linked: " + ", ".join(a["name"] for a in accounts))
    elif "message" in event:
        send(conversation, f"Echo bot heard: {event['message']['text']}")


class Bot(BaseHTTPRequestHandler):
    def do_GET(self):  # the verification handshake: echo hub.challenge
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        ok = query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == VERIFY
        self.answer(200 if ok else 403, query.get("hub.challenge", "") if ok else "")

    def do_POST(self):  # every event, signed with the app secret
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Hub-Signature-256", "")):
            return self.answer(401, "bad signature")
        for entry in json.loads(body)["entry"]:
            for event in entry["messaging"]:
                handle(event["sender"]["id"], event)
        self.answer(200, "ok")

    def answer(self, status, text):
        self.send_response(status)
        self.end_headers()
        self.wfile.write(text.encode())


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000),
                        Bot).serve_forever()
