"""TEST FAKE -- NOT PRODUCT CODE. The estate endpoints of the fake CCM (fake_ccm.py imports this module).

Computers, group membership and installed software, in the shapes the real clients read, per
../shared/reference/remote-hosts.md section 4 (tags as there):
  GET Computers/GetAll                        result[]: id, name, friendlyName, ipAddress, fqdn, computerGuid,
                                              lastCheckInDateTime, creationTime  [4.1; M2 classes/01-Computer.ps1:1-13]
  GET ComputerGroup/GetAllByGroupId?groupId=N rows: computerName, computerId, friendlyName, ipAddress
                                              [4.1; M2 public/ComputerGroup/Get-CCMGroupMembership.ps1:23]
  GET ComputerSoftware/GetAllByComputerId?computerId=N
                                              [{id, computerId, softwareId, software: {id, name, packageId,
                                              packageVersion, packageTitle, softwareDisplayName, softwareVersion,
                                              isOutdated}, installedDateTimeUtc, isCurrentlyInstalled}]
                                              [4.2; M2 Get-CCMComputerSoftware.ps1:21, classes/02-ComputerSoftware.ps1,
                                              classes/11-Software.ps1]; one Software record per package version [4.2]
Where the reference leaves the envelope open (bare array or ABP's paged {totalCount, items} [4, ABP
PagedResultDto]), "pagedComputers": N in the estate file answers Computers/GetAll paged, N per page at most,
honouring skipCount/maxResultCount, so the client's paging is tested.

The estate comes from --estate FILE (JSON):
  {"computers": [{"id": 11, "name": "ws-1", "groups": [7], "lastCheckInDateTime": "2026-11-20T10:00:00Z",
                  "software": {"chocolatey-agent": "2.1.0"}, "removed": {"chocolatey-agent": "1.0.0"},
                  "programs": ["Mozilla Firefox"]}],
   "pagedComputers": 2}
"removed" versions are records with isCurrentlyInstalled false; "programs" are software without a package id
(what the agent also reports from Programs and Features).
"""
import json


def add_arguments(parser):
    parser.add_argument("--estate", help="JSON file of computers, their groups and software (estate.py)")


class Estate:
    def __init__(self, path):
        self.computers, self.paged = [], None
        if path:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            self.computers = data.get("computers", [])
            self.paged = data.get("pagedComputers")
        self.software_ids = {}

    def software_id(self, package, version):
        return self.software_ids.setdefault((package, version), 100 + len(self.software_ids))

    def computer_view(self, c):
        return {"id": c["id"], "name": c["name"], "friendlyName": c["name"], "ipAddress": "192.0.2.%d" % (c["id"] % 250),
                "fqdn": c["name"] + ".example.test", "computerGuid": "00000000-0000-0000-0000-%012d" % c["id"],
                "lastCheckInDateTime": c.get("lastCheckInDateTime"), "creationTime": "2025-01-01T00:00:00Z"}

    def software_rows(self, c):
        rows = []
        for current, key in ((True, "software"), (False, "removed")):
            for package, version in sorted(c.get(key, {}).items()):
                sid = self.software_id(package, version)
                rows.append({"id": len(rows) + 1, "computerId": c["id"], "softwareId": sid, "installedDateTimeUtc": "2026-01-01T00:00:00Z",
                             "isCurrentlyInstalled": current,
                             "software": {"id": sid, "name": package, "packageId": package, "packageVersion": version,
                                          "packageTitle": package, "softwareDisplayName": package, "softwareVersion": version,
                                          "isOutdated": False}})
        for program in c.get("programs", []):
            sid = self.software_id(program, "")
            rows.append({"id": len(rows) + 1, "computerId": c["id"], "softwareId": sid, "installedDateTimeUtc": None,
                         "isCurrentlyInstalled": True,
                         "software": {"id": sid, "name": program, "packageId": None, "packageVersion": None,
                                      "packageTitle": None, "softwareDisplayName": program, "softwareVersion": "1.0", "isOutdated": False}})
        return rows


def handle(state, method, name, query):
    """(status, result) for an estate endpoint, None for any other (fake_ccm.py answers those)."""
    estate = getattr(state, "estate", None)
    if estate is None:
        estate = state.estate = Estate(state.args.estate)
    if method != "GET":
        return None
    if name == "Computers/GetAll":
        views = [estate.computer_view(c) for c in estate.computers]
        if estate.paged:
            skip = int(query.get("skipcount", "0"))
            size = min(int(query.get("maxresultcount", "10")), estate.paged)  # ABP's default page is 10 [4]
            return 200, {"totalCount": len(views), "items": views[skip:skip + size]}
        return 200, views
    if name == "ComputerGroup/GetAllByGroupId":
        gid = int(query.get("groupid", "0"))
        return 200, [{"computerName": c["name"], "computerId": c["id"], "friendlyName": c["name"], "ipAddress": None}
                     for c in estate.computers if gid in c.get("groups", [])]
    if name == "ComputerSoftware/GetAllByComputerId":
        cid = int(query.get("computerid", "0"))
        for c in estate.computers:
            if c["id"] == cid:
                return 200, estate.software_rows(c)
        return 200, []
    return None
