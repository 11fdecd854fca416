#!/usr/bin/env python3
"""TEST FAKE -- NOT PRODUCT CODE. NOT A CCM SERVER.

A small stand-in for the Chocolatey Central Management website's REST API, for ccm-upgrade's test suite
(Python 3 standard library only). No real CCM can run here (it is a licensed Windows/IIS/SQL Server product),
so every behaviour below comes from a source, cited beside the code that does it; the tags are those of
../shared/reference/ccm.md section 0 (M1 = chocolatey/ChocoCCM, M2 = chocolatey-solutions/chococcm,
M3 = JPRuskin/CCMjr, X = chocolatey/ccm-deployment-examples, D = chocolatey/docs, ABP = aspnetboilerplate).
It is never shipped or installed.

Sourced behaviour:
  - cookie login at POST /Account/Login with usernameOrEmailAddress/password [M1; M2; D]; every /api/ call
    needs the session cookie, else 401 with unAuthorizedRequest (ABP envelope [M1; M2; D])
  - the ABP envelope {"result", "success", "error": {"message", "details"}, "unAuthorizedRequest"} [M2]
  - plans listed by DeploymentPlans/GetAll (result[]) [M1 Get-CCMDeployment] and GetAllPaged (result.items)
    [M2 Get-CCMDeploymentPlan]; steps by DeploymentSteps/GetAllPagedByDeploymentPlanId (result.items) [M1
    Get-DeploymentResult]; computers by DeploymentStepComputers/GetAllByDeploymentStepId (result) [M1
    Get-CCMDeploymentStep]; GetDeploymentPlanForEdit (result.deploymentPlan.deploymentSteps) [M1]
  - plan result codes 0-10 [M2 Wait-DeploymentPlan]; editing a Ready plan returns it to Draft [D deployments]
  - basic scripts with a capitalized command are refused with 400 [ChocoCCM #28]; CreateOrEditPrivileged wants
    isPrivileged true [I#291]
  - Import takes the export document [M2 Import-CCMDeploymentPlan; X]

ASSUMPTIONS (no source; the client must not depend on them, and the tests that use a switch say which):
  - answers whose shape no client reads: the login body, the Import answer ({"id"}), step-list items (id, name,
    planOrder, result), the computers' fields (computerName, result, exitCode), the deploymentStepGroups of
    GetDeploymentPlanForEdit (the shape clients send to CreateOrEdit [M1 New-CCMDeploymentStep])
  - paging: SkipCount/MaxResultCount honoured, default 10 (ABP's default, unverified: ccm.md 10.2)
  - Import keeps DeploymentStepGroupIds (unverified, ccm.md 11 (3)); --import-drops-groups drops them
  - an unknown plan or step id is a 400 with an error envelope
  - the run: after Start, each GetAllPaged that lists the plan advances it: 1st poll Active, 2nd the --outcome
    (Success, Failed, Unreachable, Inconclusive, or Inconclusive-then-Success which turns Success 2 polls later)
  - no validation the sources do not show: no anti-forgery requirement (no known client sends a token [M1;
    M2]), MoveToReady accepts steps without groups (ccm.md 11 (8)), unknown group ids are stored as given

Switches: --user NAME --password PW (the one account), --group NAME=ID (repeatable; default All Computers=1,
CCM Servers=3, Workstations=7), --computers GROUP=a,b (default 2 per group), --outcome, --expire-after N (a
session ends after N API calls), --login-failure-status CODE (default 500), --tls-cert/--tls-key (HTTPS),
--drop-poll N (the N-th GetAllPaged of plans gets no answer; repeatable), --antiforgery (ABP's filter: a POST
whose X-XSRF-TOKEN header does not echo the XSRF-TOKEN cookie gets ASP.NET Core's bodiless 400 [ABP
AbpValidateAntiforgeryTokenAuthorizationFilter -> AntiforgeryValidationFailedResult]), --xsrf-late (with
--antiforgery: login sets no XSRF-TOKEN; GET / does), --import-drops-groups, --omit FIELD (repeatable: leave
plan 'result', step 'result', step 'id' or 'computers' fields out of the answers, or 'stepGroups' out of
GetDeploymentPlanForEdit), --exit-on-stdin-eof (stop when the parent's pipe closes), --log FILE (one line per
request: METHOD PATH and, for JSON POSTs, the body; never the login form).
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
        self.polls = 0

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

    def reply(self, status, body, cookies=(), content_type="application/json; charset=utf-8"):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
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
                # ABP sets XSRF-TOKEN on page loads [ABP]; that CCM does so is inferred (ccm.md 10.1).
                self.log("GET /")
                return self.reply(200, b"<html>CCM (fake)</html>", [f"XSRF-TOKEN={secrets.token_hex(8)}; path=/"])
            if not url.path.startswith("/api/services/app/"):
                self.log(f"{method} {url.path}")
                return self.reply(404, envelope(error="not found"))
            self.log(f"{method} {url.path}" + (f" {raw.decode()}" if raw else "") + (f"?{url.query}" if url.query else ""))
            if url.path.endswith("/DeploymentPlans/GetAllPaged"):
                self.state.polls += 1
                if self.state.polls in (self.state.args.drop_poll or []):
                    self.close_connection = True  # no answer at all: the client sees an empty reply
                    return
            jar = self.cookies()
            # Cookie session [M1; M2]; the cookie's name is ASP.NET Core Identity's default (ASSUMPTION, ccm.md 10.1).
            token = jar.get(".AspNetCore.Identity.Application")
            if token not in self.state.sessions:
                return self.reply(401, envelope(error="Current user did not login to the application!", unauthorized=True))
            self.state.sessions[token] += 1
            # Sessions end (expiry, "one concurrent login per user", ccm.md 10.1); when is an ASSUMPTION (--expire-after).
            limit = self.state.args.expire_after
            if limit is not None and self.state.sessions[token] > limit:
                del self.state.sessions[token]
                return self.reply(401, envelope(error="Current user did not login to the application!", unauthorized=True))
            # ABP validates writes whenever the auth cookie is present and answers a failure with ASP.NET Core's
            # AntiforgeryValidationFailedResult: a 400 without a body [ABP]. Off unless --antiforgery: no known
            # client sends the header and they work [M1; M2].
            if self.state.args.antiforgery and method == "POST" and (
                    not jar.get("XSRF-TOKEN") or self.headers.get("X-XSRF-TOKEN") != jar["XSRF-TOKEN"]):
                return self.reply(400, b"", content_type=None)
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
        """POST /Account/Login, form fields usernameOrEmailAddress and password [M1; M2; D ccm/usage/api]. Clients rely on
        a 2xx and the cookies; M2 reads error.message on failure. The failure status (--login-failure-status) and the
        body are ASSUMPTIONS."""
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
        self.log(f"POST /Account/Login user={form.get('usernameOrEmailAddress', '')}")
        args = self.state.args
        if form.get("usernameOrEmailAddress") != args.user or form.get("password") != args.password:
            return self.reply(args.login_failure_status, envelope(error="Login failed!"))
        token = secrets.token_hex(16)
        self.state.sessions[token] = 0
        cookies = [f".AspNetCore.Identity.Application={token}; path=/; secure; samesite=lax; httponly"]
        if args.antiforgery and not args.xsrf_late:
            cookies.append(f"XSRF-TOKEN={secrets.token_hex(8)}; path=/")
        return self.reply(200, envelope(result={"targetUrl": "/"}), cookies)

    def api(self, method, name, query, body):
        st = self.state
        answer = estate.handle(st, method, name, query)
        if answer is not None:
            return answer
        if name == "Groups/GetAll" and method == "GET":  # result[] of {id, name, description} [M1 Get-CCMGroup; ccm.md 10.5]
            return 200, [{"id": gid, "name": gname, "description": ""} for gid, gname in sorted(st.groups.items())]
        if name == "DeploymentPlans/GetAll" and method == "GET":  # result[] [M1 Get-CCMDeployment]
            return 200, [self.plan_view(p) for p in st.plans.values()]
        if name == "DeploymentPlans/GetAllPaged" and method == "GET":  # result.items [M2 Get-CCMDeploymentPlan]
            wanted = query.get("filter") or ""
            archived = (query.get("isarchived") or "false").lower() == "true"
            plans = [p for p in st.plans.values() if wanted.lower() in p["name"].lower() and p["isArchived"] == archived]
            page = self.page(plans, query)
            for plan in page:
                self.advance(plan)
            return 200, {"totalCount": len(plans), "items": [self.plan_view(p) for p in page]}
        if name == "DeploymentPlans/GetDeploymentPlanForEdit" and method == "GET":  # result.deploymentPlan [M1]
            plan = self.plan(query.get("id"))
            view = self.plan_view(plan)
            view["deploymentSteps"] = [self.step_for_edit(st.steps[i]) for i in plan["steps"]]
            return 200, {"deploymentPlan": view}
        if name == "DeploymentSteps/GetDeploymentStepForEdit" and method == "GET":  # [M1 Get-CCMDeploymentStep]
            return 200, {"deploymentStep": self.step_for_edit(self.step(query.get("id")))}
        if name == "DeploymentPlans/CreateOrEdit" and method == "POST":  # result.id [M1; D api/examples]
            return 200, {"id": st.new_plan(body)}
        if name == "DeploymentPlans/Import" and method == "POST":  # [M2 Import-CCMDeploymentPlan]
            return 200, {"id": self.import_plan(body)}
        if name in ("DeploymentSteps/CreateOrEdit", "DeploymentSteps/CreateOrEditPrivileged") and method == "POST":
            return 200, {"id": self.create_step(name.endswith("Privileged"), body)}
        if name in ("DeploymentPlans/MoveToReady", "DeploymentPlans/Start", "DeploymentPlans/Cancel") and method == "POST":
            plan = self.plan(body.get("id"))
            action = name.split("/")[1]
            # Draft -> Ready -> Active; Cancel ends it (D ccm/usage/website/deployments.mdx, plan states). The refusals
            # below are the states' documented meaning; their status and wording are ASSUMPTIONS.
            if action == "MoveToReady":
                if plan["result"] != 1:
                    raise ApiError(400, "only Draft plans can be moved to Ready")
                plan["result"] = 3
            elif action == "Start":
                if plan["result"] != 3:
                    raise ApiError(400, "the deployment plan is not Ready")
                plan["result"] = 5
                plan["startDateTimeUtc"] = "2026-11-21T18:00:00Z"
            else:
                plan["result"] = 6
            return 200, None
        if name == "DeploymentPlans/Archive" and method == "POST":  # [M2 Save-CCMDeploymentPlan]; a separate flag [M2]
            plan = self.plan(body.get("id"))
            if plan["result"] < 6:
                raise ApiError(400, "only completed plans can be archived")  # completed only: D plan states (Archive action)
            plan["isArchived"] = True
            return 200, None
        if name == "DeploymentSteps/GetAllPagedByDeploymentPlanId" and method == "GET":  # result.items [M1 Get-DeploymentResult]
            plan = self.plan(query.get("deploymentplanid"))
            steps = sorted((st.steps[i] for i in plan["steps"]), key=lambda s: s["planOrder"])
            items = []
            for s in self.page(steps, query):
                item = {"id": s["id"], "name": s["name"], "planOrder": s["planOrder"], "result": s["result"],
                        "isPrivileged": s["isPrivileged"]}
                for field in ("result", "id"):
                    if "step " + field in (st.args.omit or []):
                        del item[field]
                items.append(item)
            return 200, {"totalCount": len(steps), "items": items}
        if name == "DeploymentStepComputers/GetAllByDeploymentStepId" and method == "GET":  # result [M1 Get-CCMDeploymentStep]
            step = self.step(query.get("deploymentstepid"))
            if "computers" in (st.args.omit or []):
                return 200, [{"id": n} for n, _ in enumerate(step["computers"], 1)]
            return 200, step["computers"]
        raise ApiError(404, f"no endpoint {method} {name} in this fake")

    @staticmethod
    def page(items, query):
        """ASSUMPTION: ABP's SkipCount/MaxResultCount paging with its default of 10 (ccm.md 10.2)."""
        skip = int(query.get("skipcount") or 0)
        count = int(query.get("maxresultcount") or 10)
        return items[skip:skip + count]

    def plan(self, pid):
        try:
            return self.state.plans[int(pid)]
        except (TypeError, ValueError, KeyError):
            raise ApiError(400, f"there is no deployment plan {pid}")

    def step(self, sid):
        try:
            return self.state.steps[int(sid)]
        except (TypeError, ValueError, KeyError):
            raise ApiError(400, f"there is no deployment step {sid}")

    def plan_view(self, plan):
        view = {k: plan[k] for k in ("id", "name", "result", "isArchived", "startDateTimeUtc", "finishDateTimeUtc")}
        if "plan result" in (self.state.args.omit or []):
            del view["result"]
        return view

    def step_for_edit(self, step):
        view = {"id": step["id"], "name": step["name"], "planOrder": step["planOrder"], "script": step["script"],
                "isPrivileged": step["isPrivileged"]}
        if "stepGroups" not in (self.state.args.omit or []):
            view["deploymentStepGroups"] = [{"groupId": g, "groupName": self.state.groups.get(g, "")} for g in step["groups"]]
        return view

    def import_plan(self, body):
        pid = self.state.new_plan(body)
        for step in body.get("DeploymentSteps") or []:
            groups = [] if self.state.args.import_drops_groups else list(step.get("DeploymentStepGroupIds") or [])
            self.state.new_step(pid, step.get("Name", ""), step.get("PlanOrder", 0), step.get("Script", ""),
                                step.get("IsPrivileged", False), groups, step.get("RequireSuccessOnAllComputers", False))
        return pid

    def create_step(self, privileged, body):
        plan = self.plan(body.get("deploymentPlanId"))
        script = body.get("script") or ""
        if privileged and body.get("isPrivileged") is not True:
            raise ApiError(400, "advanced steps need isPrivileged: true")  # [I#291]
        if not privileged:
            fields = script.split("|")
            if len(fields) not in (2, 4) or fields[0] not in ("install", "upgrade", "uninstall"):
                raise ApiError(400, f"invalid basic step script '{script}'")  # capitalized command -> 400 [ChocoCCM #28]
        groups = [entry.get("groupId") for entry in body.get("deploymentStepGroups", []) if isinstance(entry, dict)]
        if plan["result"] == 3:
            plan["result"] = 1  # editing a Ready plan returns it to Draft [D deployments]
        return self.state.new_step(plan["id"], body.get("name", ""), body.get("planOrder", len(plan["steps"]) + 1), script, privileged,
                                   groups, body.get("requireSuccessOnAllComputers", False))

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
    """Kept for endpoint modules (estate.py): a 400 when a field is missing or mistyped (ASSUMPTION: ABP's model
    validation answers so, with an error envelope)."""
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
    parser.add_argument("--antiforgery", action="store_true")
    parser.add_argument("--xsrf-late", action="store_true")
    parser.add_argument("--import-drops-groups", action="store_true")
    parser.add_argument("--omit", action="append", choices=["plan result", "step result", "step id", "computers", "stepGroups"])
    parser.add_argument("--drop-poll", type=int, action="append")
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
