"""The user journeys of the built-in products: the requests a smoke test makes, with state, and faults
that break exactly one step.

- video-sessions: sign up → read the OTP (a test inbox) → log in with it → create a session → join
  it → send a chat message → load the dashboard; cleanup deletes the user (a test hook, like the
  inbox). ``otp-delay`` holds the OTP back past the step's deadline; ``join-fails`` makes joining
  answer 500.
- whatsapp-quiz: start a quiz → answer its 15 questions → complete it → activate the trial →
  generate the Mercado Pago payment link; cleanup deletes the test user. ``trial-fails`` answers the
  trial activation with a trial whose status is ``failed``.
- ecommerce-support: add to cart → check out → pay with a test card; cleanup cancels the order.
  Register → log in → load the account for the authentication flow; cleanup deletes the account.
  ``card-declined`` declines the test card (402).

Every route is counted in ``Simulator.requests`` by its pattern (``POST /api/auth/signup``), so a
test can count how often a journey really ran. State is bounded: the oldest entries go first.

>>> app = JourneyApp("video-sessions", Faults(), delay=lambda s: None)
>>> route, (code, doc) = app.handle("POST", "/api/auth/signup", {"email": "a@example.test"}, {})
>>> route, code, doc["status"]
('POST /api/auth/signup', 201, 'otp_sent')
"""

from __future__ import annotations

import itertools
import re
import secrets
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from launchwatch.simulator.faults import Faults

__all__ = ["JOURNEY_FAULTS", "JourneyApp"]

# fault -> (plan, the route it breaks)
JOURNEY_FAULTS = {
    "otp-delay": ("video-sessions", "GET /api/test/otp"),
    "join-fails": ("video-sessions", "POST /api/sessions/{id}/join"),
    "trial-fails": ("whatsapp-quiz", "POST /api/subscriptions/trial"),
    "card-declined": ("ecommerce-support", "POST /api/payments/confirm"),
}
QUIZ_QUESTIONS = 15
_KEEP = 10_000  # entries of each kind kept (a journey runs every few minutes; a test a few hundred times)

Reply = tuple[int, Any]


class _Store(OrderedDict):
    def put(self, key: str, value: Any) -> None:
        self[key] = value
        while len(self) > _KEEP:
            self.popitem(last=False)


class JourneyApp:
    """The journey endpoints of one plan's product; ``handle`` answers one request (None: no such route).

    ``delay(seconds)`` is how a fault waits (the HTTP server sleeps)."""

    def __init__(self, plan: str, faults: Faults, delay: Callable[[float], None], slow_delay: float = 4.0):
        self.plan = plan
        self.faults = faults
        self.delay = delay
        self.slow_delay = slow_delay
        self._ids = itertools.count(1)
        self.users, self.tokens, self.sessions, self.quizzes, self.trials = (_Store() for _ in range(5))
        self.carts, self.orders, self.accounts = _Store(), _Store(), _Store()
        routes = {
            "video-sessions": [
                ("POST", "/api/auth/signup", self._signup),
                ("GET", "/api/test/otp", self._otp),
                ("POST", "/api/auth/verify-otp", self._verify_otp),
                ("POST", "/api/sessions", self._create_session),
                ("POST", "/api/sessions/{id}/join", self._join),
                ("POST", "/api/sessions/{id}/messages", self._message),
                ("GET", "/api/dashboard", self._dashboard),
                ("DELETE", "/api/test/users", self._delete_user),
            ],
            "whatsapp-quiz": [
                ("POST", "/api/quiz/start", self._quiz_start),
                ("POST", "/api/quiz/{id}/answer", self._quiz_answer),
                ("POST", "/api/quiz/{id}/complete", self._quiz_complete),
                ("POST", "/api/subscriptions/trial", self._trial),
                ("POST", "/api/payments/link", self._payment_link),
                ("DELETE", "/api/test/users/{id}", self._delete_quiz_user),
            ],
            "ecommerce-support": [
                ("POST", "/api/cart", self._cart),
                ("POST", "/api/checkout", self._checkout),
                ("POST", "/api/payments/confirm", self._confirm),
                ("POST", "/api/orders/{id}/cancel", self._cancel),
                ("POST", "/api/auth/register", self._register),
                ("POST", "/api/auth/login", self._login),
                ("GET", "/api/account", self._account),
                ("DELETE", "/api/account", self._delete_account),
            ],
        }.get(plan, [])
        self.routes = [(method, pattern, _compile(pattern), handler) for method, pattern, handler in routes]

    def match(self, method: str, path: str) -> tuple[str, Callable[..., Reply], dict[str, str]] | None:
        """The route ``method path`` reaches: its name (``POST /api/sessions/{id}/join``), handler, parameters."""
        for m, pattern, regex, handler in self.routes:
            found = regex.match(path)
            if m == method and found:
                return f"{method} {pattern}", handler, found.groupdict()
        return None

    def handle(self, method: str, path: str, body: Any, headers: dict[str, str],
               query: dict[str, str] | None = None) -> tuple[str, Reply] | None:
        """(the route's name, its answer), or None when no route matches; ``headers`` keys are lower case."""
        found = self.match(method, path)
        if found is None:
            return None
        route, handler, params = found
        if self.faults.active("down", path):
            return route, (503, {"status": "down", "error": "service unavailable"})
        return route, handler(params=params, body=body if isinstance(body, dict) else {}, headers=headers,
                              query=query or {})

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}-{secrets.token_hex(3)}"

    def _broken(self, fault: str) -> bool:
        return self.faults.active(fault)

    def _user_of(self, headers: dict[str, str]) -> str | None:
        auth = headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        return self.tokens.get(token) if auth.startswith("Bearer ") else None

    # --- video-sessions -------------------------------------------------------------------------

    def _signup(self, body: dict, **_: Any) -> Reply:
        email = body.get("email")
        if not isinstance(email, str) or "@" not in email:
            return 400, {"error": "a valid email is required"}
        user = {"id": self._new_id("u"), "email": email, "otp": f"{secrets.randbelow(10**6):06d}"}
        self.users.put(email, user)
        self.users.put(user["id"], user)
        return 201, {"user": {"id": user["id"], "email": email}, "status": "otp_sent"}

    def _otp(self, query: dict[str, str], **_: Any) -> Reply:
        if self._broken("otp-delay"):
            self.delay(self.slow_delay)  # the SMS provider is slow: the code arrives after the step's deadline
        user = self.users.get(query.get("email", ""))
        if user is None:
            return 404, {"error": "no OTP sent to this address"}
        return 200, {"email": user["email"], "code": user["otp"]}

    def _verify_otp(self, body: dict, **_: Any) -> Reply:
        user = self.users.get(str(body.get("email", "")))
        if user is None or body.get("code") != user["otp"]:
            return 401, {"error": "invalid code"}
        token = "tok_" + secrets.token_hex(16)
        self.tokens.put(token, user["id"])
        return 200, {"token": token, "user": {"id": user["id"]}}

    def _create_session(self, body: dict, headers: dict[str, str], **_: Any) -> Reply:
        user = self._user_of(headers)
        if user is None:
            return 401, {"error": "log in first"}
        session = {"id": self._new_id("s"), "title": str(body.get("title", "")), "host": user, "participants": [],
                   "messages": []}
        self.sessions.put(session["id"], session)
        return 201, {"session": {"id": session["id"], "room_id": "room-" + session["id"]}}

    def _join(self, params: dict[str, str], headers: dict[str, str], **_: Any) -> Reply:
        user = self._user_of(headers)
        session = self.sessions.get(params["id"])
        if user is None:
            return 401, {"error": "log in first"}
        if session is None:
            return 404, {"error": "no such session"}
        if self._broken("join-fails"):
            return 500, {"error": "HMS room unavailable"}
        session["participants"].append(user)
        return 200, {"participant": {"id": user, "role": "host"}, "hms_token": "hms_" + secrets.token_hex(8)}

    def _message(self, params: dict[str, str], body: dict, headers: dict[str, str], **_: Any) -> Reply:
        user = self._user_of(headers)
        session = self.sessions.get(params["id"])
        if user is None or session is None or user not in session["participants"]:
            return 403, {"error": "join the session first"}
        message = {"id": self._new_id("m"), "text": str(body.get("text", "")), "from": user}
        session["messages"].append(message)
        return 201, {"message": message}

    def _dashboard(self, headers: dict[str, str], **_: Any) -> Reply:
        user = self._user_of(headers)
        if user is None:
            return 401, {"error": "log in first"}
        mine = [{"id": s["id"], "title": s["title"]} for s in self.sessions.values() if s["host"] == user]
        return 200, {"user": user, "sessions": mine}

    def _delete_user(self, query: dict[str, str], **_: Any) -> Reply:
        """The test hook that removes a test user (signed up, logged in or not), like the OTP inbox."""
        user = self.users.pop(query.get("email", ""), None)
        if user is None:
            return 404, {"error": "no such user"}
        self.users.pop(user["id"], None)
        return 204, None

    # --- whatsapp-quiz --------------------------------------------------------------------------

    def _quiz_start(self, body: dict, **_: Any) -> Reply:
        phone = body.get("phone")
        if not isinstance(phone, str) or not phone:
            return 400, {"error": "phone is required"}
        quiz = {"id": self._new_id("q"), "phone": phone, "answers": {}, "completed": False}
        self.quizzes.put(quiz["id"], quiz)
        return 201, {"quiz": {"id": quiz["id"], "questions": QUIZ_QUESTIONS}, "next_question": 1}

    def _quiz_answer(self, params: dict[str, str], body: dict, **_: Any) -> Reply:
        quiz = self.quizzes.get(params["id"])
        if quiz is None:
            return 404, {"error": "no such quiz"}
        number = body.get("question")
        if not isinstance(number, int) or not 1 <= number <= QUIZ_QUESTIONS:
            return 400, {"error": f"question must be 1-{QUIZ_QUESTIONS}"}
        quiz["answers"][number] = body.get("answer")
        return 200, {"answered": len(quiz["answers"]), "remaining": QUIZ_QUESTIONS - len(quiz["answers"])}

    def _quiz_complete(self, params: dict[str, str], **_: Any) -> Reply:
        quiz = self.quizzes.get(params["id"])
        if quiz is None:
            return 404, {"error": "no such quiz"}
        if len(quiz["answers"]) < QUIZ_QUESTIONS:
            return 409, {"error": f"{QUIZ_QUESTIONS - len(quiz['answers'])} questions unanswered"}
        quiz["completed"] = True
        return 200, {"status": "completed", "result": {"daily_calories": 1800 + secrets.randbelow(600)}}

    def _trial(self, body: dict, **_: Any) -> Reply:
        quiz = self.quizzes.get(str(body.get("quiz_id", "")))
        if quiz is None or not quiz["completed"]:
            return 409, {"error": "complete the quiz first"}
        if self._broken("trial-fails"):
            return 201, {"trial": {"id": None, "status": "failed", "error": "subscription service rejected it"}}
        trial = {"id": self._new_id("t"), "phone": quiz["phone"], "status": "active"}
        self.trials.put(trial["id"], trial)
        return 201, {"trial": {"id": trial["id"], "status": "active", "days": 7}}

    def _payment_link(self, body: dict, **_: Any) -> Reply:
        trial = self.trials.get(str(body.get("trial_id", "")))
        if trial is None:
            return 404, {"error": "no such trial"}
        pref = secrets.token_hex(8)
        return 201, {"payment_link": {
            "id": pref, "url": f"https://www.mercadopago.com.ar/checkout/v1/redirect?pref_id={pref}"}}

    def _delete_quiz_user(self, params: dict[str, str], **_: Any) -> Reply:
        gone = [k for k, q in self.quizzes.items() if q["phone"] == params["id"]]
        gone_trials = [k for k, t in self.trials.items() if t["phone"] == params["id"]]
        for k in gone:
            del self.quizzes[k]
        for k in gone_trials:
            del self.trials[k]
        return (204, None) if gone else (404, {"error": "no such user"})

    # --- ecommerce-support ----------------------------------------------------------------------

    def _cart(self, body: dict, **_: Any) -> Reply:
        items = body.get("items")
        if not isinstance(items, list) or not items:
            return 400, {"error": "items are required"}
        cart = {"id": self._new_id("c"), "items": items, "total": round(49.99 * len(items), 2)}
        self.carts.put(cart["id"], cart)
        return 201, {"cart": cart}

    def _checkout(self, body: dict, **_: Any) -> Reply:
        cart = self.carts.get(str(body.get("cart_id", "")))
        if cart is None:
            return 404, {"error": "no such cart"}
        order = {"id": self._new_id("o"), "amount": cart["total"], "status": "pending",
                 "client_secret": f"pi_{secrets.token_hex(8)}_secret_{secrets.token_hex(12)}"}
        self.orders.put(order["id"], order)
        return 201, {"order": {"id": order["id"], "amount": order["amount"]},
                     "payment_intent": {"client_secret": order["client_secret"]}}

    def _confirm(self, body: dict, **_: Any) -> Reply:
        order = self.orders.get(str(body.get("order_id", "")))
        if order is None or body.get("client_secret") != order["client_secret"]:
            return 404, {"error": "no such payment"}
        if self._broken("card-declined"):
            return 402, {"error": {"code": "card_declined", "message": "Your card was declined."}}
        order["status"] = "paid"
        return 200, {"status": "succeeded", "order": {"id": order["id"], "status": "paid"}}

    def _cancel(self, params: dict[str, str], **_: Any) -> Reply:
        order = self.orders.pop(params["id"], None)
        if order is None:
            return 404, {"error": "no such order"}
        return 200, {"order": {"id": params["id"], "status": "refunded" if order["status"] == "paid" else "cancelled"}}

    def _register(self, body: dict, **_: Any) -> Reply:
        email, password = body.get("email"), body.get("password")
        if not isinstance(email, str) or not isinstance(password, str) or len(password) < 8:
            return 400, {"error": "email and a password of 8 or more characters are required"}
        account = {"id": self._new_id("a"), "email": email, "password": password}
        self.accounts.put(email, account)
        return 201, {"account": {"id": account["id"], "email": email}}

    def _login(self, body: dict, **_: Any) -> Reply:
        account = self.accounts.get(str(body.get("email", "")))
        if account is None or body.get("password") != account["password"]:
            return 401, {"error": "invalid credentials"}
        token = "jwt_" + secrets.token_hex(16)
        self.tokens.put(token, account["email"])
        return 200, {"access_token": token, "token_type": "bearer"}

    def _account(self, headers: dict[str, str], **_: Any) -> Reply:
        email = self._user_of(headers)
        account = self.accounts.get(email or "")
        if account is None:
            return 401, {"error": "log in first"}
        return 200, {"account": {"id": account["id"], "email": account["email"]}}

    def _delete_account(self, headers: dict[str, str], **_: Any) -> Reply:
        email = self._user_of(headers)
        if email is None or self.accounts.pop(email, None) is None:
            return 401, {"error": "log in first"}
        return 204, None


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern)) + "$")
