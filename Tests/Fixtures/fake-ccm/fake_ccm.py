#!/usr/bin/env python3
"""TEST FAKE -- NOT PRODUCT CODE. NOT A CCM SERVER.

A small stand-in for the Chocolatey Central Management website's REST API, for ccm-upgrade's test suite
(Python 3 standard library only). No real CCM can run here (it is a licensed Windows/IIS/SQL Server product),
so this fake is built only from the documented wire format in ../shared/reference/ccm.md sections 9-10:
cookie login at POST /Account/Login (form fields usernameOrEmailAddress, password), the ABP envelope
({"result": ..., "success": ..., "error": {"message", "details"}, "unAuthorizedRequest": ...}), the
DeploymentPlans / DeploymentSteps / DeploymentStepComputers / Groups endpoints, plan results 0-10, and the
JSON import format of CCM 0.11.0+. Where ccm.md marks a detail unverified (login answer, Import answer,
step-list shape, computer fields), the fake picks one plausible shape and the client tolerates others.
It is never shipped or installed.

Behaviour:
  - every /api/ call needs the session cookie (401 + unAuthorizedRequest otherwise); POSTs must echo the
    XSRF-TOKEN cookie as X-XSRF-TOKEN (ABP's anti-forgery rule, ccm.md 10.1) or get 400
  - DeploymentSteps/CreateOrEdit accepts only basic scripts (lower-case command), CreateOrEditPrivileged only
    with isPrivileged true; unknown group ids are 400; MoveToReady refuses steps without groups
  - after Start, each GetDeploymentPlanForView advances the run: 1st view Active, 2nd the --outcome
    (Success, Failed, Unreachable, Inconclusive, or Inconclusive-then-Success which turns Success 2 views later)

Switches: --user NAME --password PW (the one account), --group NAME=ID (repeatable; default All Computers=1,
CCM Servers=3, Workstations=7), --computers GROUP=a,b (default 2 per group), --outcome, --expire-after N (a
session ends after N API calls), --login-failure-status CODE (default 500), --tls-cert/--tls-key (HTTPS),
--drop-view N (the N-th GetDeploymentPlanForView gets no answer; repeatable), --xsrf-late (login sets no XSRF-TOKEN; GET / does; POSTs still need it),
--exit-on-stdin-eof (stop when the
parent's pipe closes), --log FILE (one line per request: METHOD PATH and, for JSON POSTs, the body; never the login form).
Prints "PORT <n>" once listening.
"""
import argparse
import http.server
import json
import os
import secrets
import signal
import socketserver
import ssl
import sys
import threading
import urllib.parse

import estate  # computers, groups' members, installed software (estate.py)

LOCK = threading.Lock()


class State:
    def __init__(self, args):
        self.args = args
        self.sessions = {}  # token -> calls so far
        self.groups = {}
        for spec in args.group or ["All Computers=1", "CCM Servers=3", "Workstations=7"]:
            name, _, gid = spec.rpartition("=")
            self.groups[int(gid)] = name
        self.computers = {}
        for gid, name in self.groups.items():
            self.computers[gid] = [f"{name.lower().replace(' ', '-')}-{i}" for i in (1, 2)]
        for spec in args.computers or []:
            name, _, names = spec.partition("=")
            for gid, gname in self.groups.items():
                if gname == name:
                    self.computers[gid] = names.split(",")
        self.plans = {}
        self.steps = {}
        self.next_plan = 41
        self.next_step = 500
        self.views = 0

    def new_plan(self, body):
        pid = self.next_plan
        self.next_plan += 1
        self.plans[pid] = {"id": pid, "name": body.get("name") or body.get("Name") or "", "result": 1, "isArchived": False,
                           "finishDateTimeUtc": None, "startDateTimeUtc": None, "views": 0, "steps": []}
        return pid

    def new_step(self, pid, name, order, script, privileged, group_ids, require_success):
        sid = self.next_step
        self.next_step += 1
        self.steps[sid] = {"id": sid, "deploymentPlanId": pid, "name": name, "planOrder": order, "script": script,
                           "isPrivileged": privileged, "groups": group_ids, "result": 1, "computers": [],
                           "requireSuccessOnAllComputers": require_success}
        self.plans[pid]["steps"].append(sid)
        return sid


def envelope(result=None, error=None, unauthorized=False):
    body = {"result": result, "targetUrl": None, "success": error is None, "error": None,
            "unAuthorizedRequest": unauthorized, "__abp": True}
    if error is not None:
        body["error"] = {"code": 0, "message": error, "details": None, "validationErrors": None}
    return json.dumps(body).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, *args):
        pass

    def log(self, line):
        if self.state.args.log:
            with open(self.state.args.log, "a") as handle:
                handle.write(line + "\n")

    def reply(self, status, body, cookies=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for cookie in cookies:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        self.wfile.write(body)

    def cookies(self):
        jar = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name:
                jar[name] = value
        return jar

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def handle_any(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        query = {k.lower(): v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        with LOCK:
            if url.path == "/Account/Login" and method == "POST":
                return self.login(raw)
            if url.path == "/" and method == "GET":
                self.log("GET /")
                return self.reply(200, b"<html>CCM (fake)</html>", [f"XSRF-TOKEN={secrets.token_hex(8)}; path=/"])
            if not url.path.startswith("/api/services/app/"):
                self.log(f"{method} {url.path}")
                return self.reply(404, envelope(error="not found"))
            self.log(f"{method} {url.path}" + (f" {raw.decode()}" if raw else "") + (f"?{url.query}" if url.query else ""))
            if url.path.endswith("/GetDeploymentPlanForView"):
                self.state.views += 1
                if self.state.views in (self.state.args.drop_view or []):
                    self.close_connection = True  # no answer at all: the client sees an empty reply
                    return
            jar = self.cookies()
            token = jar.get(".AspNetCore.Identity.Application")
            if token not in self.state.sessions:
                return self.reply(401, envelope(error="Current user did not login to the application!", unauthorized=True))
            self.state.sessions[token] += 1
            limit = self.state.args.expire_after
            if limit is not None and self.state.sessions[token] > limit:
                del self.state.sessions[token]
                return self.reply(401, envelope(error="Current user did not login to the application!", unauthorized=True))
            xsrf_needed = "XSRF-TOKEN" in jar or self.state.args.xsrf_late
            if method == "POST" and xsrf_needed and (not jar.get("XSRF-TOKEN") or self.headers.get("X-XSRF-TOKEN") != jar["XSRF-TOKEN"]):
                return self.reply(400, envelope(error="The required antiforgery header value \"X-XSRF-TOKEN\" is not present."))
            body = {}
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self.reply(400, envelope(error="the body is not JSON"))
            name = url.path[len("/api/services/app/"):]
            try:
                status, result = self.api(method, name, query, body)
            except ApiError as error:
                return self.reply(error.status, envelope(error=error.message))
            return self.reply(status, envelope(result=result))

    def login(self, raw):
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
        self.log(f"POST /Account/Login user={form.get('usernameOrEmailAddress', '')}")
        args = self.state.args
        if form.get("usernameOrEmailAddress") != args.user or form.get("password") != args.password:
            return self.reply(args.login_failure_status, envelope(error="Login failed!"))
        token = secrets.token_hex(16)
        self.state.sessions[token] = 0
        cookies = [f".AspNetCore.Identity.Application={token}; path=/; secure; samesite=lax; httponly"]
        if not args.xsrf_late:
            cookies.append(f"XSRF-TOKEN={secrets.token_hex(8)}; path=/")
        return self.reply(200, envelope(result={"targetUrl": "/"}), cookies)

    def api(self, method, name, query, body):
        st = self.state
        answer = estate.handle(st, method, name, query)
        if answer is not None:
            return answer
        if name == "Groups/GetAll" and method == "GET":
            return 200, [{"id": gid, "name": gname, "description": ""} for gid, gname in sorted(st.groups.items())]
        if name == "DeploymentPlans/GetAll" and method == "GET":
            return 200, [self.plan_view(p) for p in st.plans.values()]
        if name == "DeploymentPlans/CreateOrEdit" and method == "POST":
            need(body, "name", str)
            return 200, {"id": st.new_plan(body)}
        if name == "DeploymentPlans/Import" and method == "POST":
            return 200, {"id": self.import_plan(body)}
        if name in ("DeploymentSteps/CreateOrEdit", "DeploymentSteps/CreateOrEditPrivileged") and method == "POST":
            return 200, {"id": self.create_step(name.endswith("Privileged"), body)}
        if name in ("DeploymentPlans/MoveToReady", "DeploymentPlans/Start", "DeploymentPlans/Cancel") and method == "POST":
            plan = self.plan(body.get("id"))
            action = name.split("/")[1]
            if action == "MoveToReady":
                if plan["result"] != 1:
                    raise ApiError(400, "only Draft plans can be moved to Ready")
                if not plan["steps"]:
                    raise ApiError(400, "the deployment plan has no steps")
                for sid in plan["steps"]:
                    if not st.steps[sid]["groups"]:
                        raise ApiError(400, f"deployment step '{st.steps[sid]['name']}' has no target groups")
                plan["result"] = 3
            elif action == "Start":
                if plan["result"] != 3:
                    raise ApiError(400, "the deployment plan is not Ready")
                plan["result"] = 5
                plan["startDateTimeUtc"] = "2026-11-21T18:00:00Z"
            else:
                plan["result"] = 6
            return 200, None
        if name == "DeploymentPlans/GetDeploymentPlanForView" and method == "GET":
            plan = self.plan(query.get("id"))
            self.advance(plan)
            return 200, {"deploymentPlan": self.plan_view(plan)}
        if name == "DeploymentSteps/GetAllByDeploymentPlanId" and method == "GET":
            plan = self.plan(query.get("deploymentplanid"))
            return 200, [{"id": s["id"], "name": s["name"], "planOrder": s["planOrder"], "result": s["result"],
                          "isPrivileged": s["isPrivileged"]} for s in (st.steps[i] for i in plan["steps"])]
        if name == "DeploymentStepComputers/GetAllByDeploymentStepId" and method == "GET":
            step = st.steps.get(int(query.get("deploymentstepid", "0")))
            if step is None:
                raise ApiError(400, "no such step")
            return 200, step["computers"]
        raise ApiError(404, f"no endpoint {method} {name} in this fake")

    def plan(self, pid):
        try:
            return self.state.plans[int(pid)]
        except (TypeError, ValueError, KeyError):
            raise ApiError(400, f"there is no deployment plan {pid}")

    @staticmethod
    def plan_view(plan):
        return {k: plan[k] for k in ("id", "name", "result", "isArchived", "startDateTimeUtc", "finishDateTimeUtc")}

    def import_plan(self, body):
        for field, kind in (("Name", str), ("RepeatPeriod", int), ("ExecutionTimeoutInSeconds", int), ("RequiresApproval", bool),
                            ("DeploymentSteps", list)):
            need(body, field, kind)
        for field in ("ScheduledDateTimeUtc", "LastScheduledDateTimeUtc"):
            if field not in body or not (body[field] is None or isinstance(body[field], str)):
                raise ApiError(400, f"{field} must be present (null or a date)")
        pid = self.state.new_plan(body)
        for step in body["DeploymentSteps"]:
            for field, kind in (("Name", str), ("IsPrivileged", bool), ("PlanOrder", int), ("Script", str), ("ValidExitCodes", str),
                                ("ExecutionTimeoutInSeconds", int), ("FailOnError", bool), ("RequireSuccessOnAllComputers", bool),
                                ("MachineContactTimeoutInMinutes", int), ("DeploymentStepGroupIds", list)):
                need(step, field, kind)
            self.check_groups(step["DeploymentStepGroupIds"])
            self.state.new_step(pid, step["Name"], step["PlanOrder"], step["Script"], step["IsPrivileged"],
                                step["DeploymentStepGroupIds"], step["RequireSuccessOnAllComputers"])
        return pid

    def create_step(self, privileged, body):
        need(body, "deploymentPlanId", int)
        need(body, "script", str)
        plan = self.plan(body["deploymentPlanId"])
        script = body["script"]
        if privileged and body.get("isPrivileged") is not True:
            raise ApiError(400, "advanced steps need isPrivileged: true")
        if not privileged:
            fields = script.split("|")
            if len(fields) not in (2, 4) or fields[0] not in ("install", "upgrade", "uninstall"):
                raise ApiError(400, f"invalid basic step script '{script}'")
        groups = []
        for entry in body.get("deploymentStepGroups", []):
            if not isinstance(entry, dict) or not isinstance(entry.get("groupId"), int):
                raise ApiError(400, "deploymentStepGroups must be [{groupId, groupName}]")
            groups.append(entry["groupId"])
        self.check_groups(groups)
        if plan["result"] == 3:
            plan["result"] = 1  # editing a Ready plan returns it to Draft
        return self.state.new_step(plan["id"], body.get("name", ""), body.get("planOrder", len(plan["steps"]) + 1), script, privileged,
                                   groups, body.get("requireSuccessOnAllComputers", False))

    def check_groups(self, ids):
        for gid in ids:
            if gid not in self.state.groups:
                raise ApiError(400, f"there is no group {gid}")

    def advance(self, plan):
        st = self.state
        if plan["result"] not in (5, 7) or plan["finishDateTimeUtc"] and plan["result"] != 7:
            return
        plan["views"] += 1
        steps = sorted((st.steps[i] for i in plan["steps"]), key=lambda s: s["planOrder"])
        outcome = st.args.outcome
        if plan["views"] == 1:
            for step in steps:
                step["result"] = 5
                step["computers"] = [{"computerId": n, "computerName": c, "result": 5, "exitCode": None}
                                     for g in step["groups"] for n, c in enumerate(st.computers.get(g, []), 1)]
            return
        final = {"Success": 9, "Failed": 8, "Unreachable": 10, "Inconclusive": 7, "Inconclusive-then-Success": 7}[outcome]
        if outcome == "Inconclusive-then-Success" and plan["views"] >= 4:
            final = 9
        for index, step in enumerate(steps):
            last = index == len(steps) - 1
            step["result"] = final if last else 9
            for number, computer in enumerate(step["computers"]):
                failed_here = last and number == 0 and final != 9
                computer["result"] = final if failed_here else 9
                computer["exitCode"] = (1603 if final == 8 else None) if failed_here else 0
        plan["result"] = final
        plan["finishDateTimeUtc"] = "2026-11-21T18:05:00Z"


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def need(body, field, kind):
    value = body.get(field) if isinstance(body, dict) else None
    if field not in body or not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ApiError(400, f"'{field}' must be a {kind.__name__}")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: with more concurrent clients the kernel drops SYNs and
    # each dropped connect waits a second for its retransmission. Real feeds (Nexus, ProGet, IIS) listen
    # with backlogs in the hundreds.
    request_queue_size = 128


def main():
    parser = argparse.ArgumentParser(description="TEST FAKE of the CCM REST API")
    parser.add_argument("--user", default="ccmadmin")
    parser.add_argument("--password", default="correct horse")
    parser.add_argument("--group", action="append")
    parser.add_argument("--computers", action="append")
    parser.add_argument("--outcome", default="Success",
                        choices=["Success", "Failed", "Unreachable", "Inconclusive", "Inconclusive-then-Success"])
    parser.add_argument("--expire-after", type=int)
    parser.add_argument("--login-failure-status", type=int, default=500)
    parser.add_argument("--xsrf-late", action="store_true")
    parser.add_argument("--drop-view", type=int, action="append")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--log")
    estate.add_arguments(parser)
    args = parser.parse_args()
    # A test runner may start us with SIGTERM ignored; and if it dies without stopping us, our stdin (a pipe it
    # holds) reaches EOF: exit then, so no fake outlives its test run.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if args.exit_on_stdin_eof:
        def watch():
            while sys.stdin.buffer.read(4096):
                pass
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    Handler.state = State(args)
    server = Server(("127.0.0.1", 0), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
