"""Differential-test oracle: runs the REFERENCE routing code on a described network.

The reference is executed, not re-implemented: this harness loads the published
modules of raiden-services 2.0.1 (pathfinding_service/model/*.py) and raiden-common
0.1.8 (mediation_fee.py, find_intersection, get_amount_with_fees) straight from their
PyPI wheels, strips their imports and supplies small stand-ins for the parts that do not
matter for routing (logging, tracing, marshmallow metadata, type aliases). networkx is the
real networkx 2.8.7. No code of those packages is stored in this repository.

Input (stdin, JSON):
  {"channels": [[id, "0x..", "0x.."], ...],          opened in this order
   "closes": [id, ...],                               closed after all opens
   "reopens": [[id, "0x..", "0x.."], ...],            opened after the closes
   "sides": {"<id>": [[cap1, sched1], [cap2, sched2]]}  per participant1/participant2
   "reachable": ["0x..", ...],
   "requests": [{"source", "target", "value", "max_paths", "dp", "fp"}]}
  sched = null or {"cap_fees", "flat", "proportional", "imbalance_penalty"}; ints as strings.
Output (stdout, JSON): one entry per request:
  {"error": "<quick check message>"} | {"paths": [[addr...]...], "fees": ["..."]}
  | {"crash": "<exception>"} | {"timeout": true}
"""

import ast
import builtins
import json
import signal
import sys
import types
import zipfile
from collections import defaultdict
from copy import copy
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from fractions import Fraction
from itertools import islice
import operator
import typing

import networkx as nx
from networkx import DiGraph
from networkx.exception import NetworkXNoPath, NodeNotFound

assert nx.__version__ == "2.8.7", nx.__version__


def read_member(wheel, path):
    with zipfile.ZipFile(wheel) as z:
        return z.read(path).decode()


def strip_imports(source):
    tree = ast.parse(source)
    tree.body = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    return tree


def pick(source, names):
    tree = ast.parse(source)
    tree.body = [n for n in tree.body if getattr(n, "name", None) in names]
    assert {n.name for n in tree.body} == set(names), names
    return tree


class Alias:
    """Stand-in for typing aliases and NewTypes: usable in annotations, identity when called."""

    def __new__(cls, value=None, *args, **kwargs):
        return value


def alias(name):
    return type(name, (Alias,), {})


class Silent:
    def __getattr__(self, _name):
        return lambda *a, **k: None


class Span:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def base_namespace():
    ns = {"__name__": "reference", "__builtins__": __builtins__}
    for name in dir(typing):
        if not name.startswith("_"):
            ns[name] = getattr(typing, name)
    return ns


def with_aliases(ns, tree):
    """Defines every otherwise undefined name the module mentions as an Alias."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in ns and not hasattr(builtins, node.id):
            ns[node.id] = alias(node.id)
    return tree


def load(wheel_services, wheel_common):
    class UndefinedMediationFee(Exception):
        pass

    # raiden-common: the fee model
    fee_ns = base_namespace()
    fee_ns.update(
        bisect=__import__("bisect").bisect,
        bisect_right=__import__("bisect").bisect_right,
        copy=copy,
        dataclass=dataclass,
        field=field,
        Fraction=Fraction,
        UndefinedMediationFee=UndefinedMediationFee,
        State=object,
        typecheck=lambda *a, **k: None,
    )
    src = read_member(wheel_common, "raiden_common/transfer/mediated_transfer/mediation_fee.py")
    tree = strip_imports(src)
    exec(compile(with_aliases(fee_ns, tree), "mediation_fee.py", "exec"), fee_ns)

    src = read_member(wheel_common, "raiden_common/transfer/mediated_transfer/mediator.py")
    fee_ns["operator"] = operator
    tree = pick(src, ["find_intersection"])
    exec(compile(with_aliases(fee_ns, tree), "mediator.py", "exec"), fee_ns)

    src = read_member(wheel_common, "raiden_common/tests/utils/mediation_fees.py")
    tree = pick(src, ["get_amount_with_fees"])
    exec(compile(with_aliases(fee_ns, tree), "mediation_fees.py", "exec"), fee_ns)

    # raiden-services: channel model and token network
    class AddressReachability(Enum):
        REACHABLE = 1
        UNREACHABLE = 2
        UNKNOWN = 3

    class UserPresence(Enum):
        ONLINE = "online"
        UNAVAILABLE = "unavailable"
        OFFLINE = "offline"
        UNKNOWN = "unknown"

    class InvalidFeeUpdate(Exception):
        pass

    class InconsistentInternalState(Exception):
        pass

    pfs_ns = base_namespace()
    marshmallow = types.SimpleNamespace(Schema=type("Schema", (), {}))
    pfs_ns.update(
        asdict=asdict,
        dataclass=dataclass,
        field=field,
        datetime=datetime,
        timedelta=timedelta,
        marshmallow=marshmallow,
        NaiveDateTime=lambda *a, **k: None,
        ChecksumAddress=lambda *a, **k: None,
        add_schema=lambda cls: cls,
        FeeScheduleRaiden=fee_ns["FeeScheduleState"],
        DEFAULT_REVEAL_TIMEOUT=50,
        InvalidFeeUpdate=InvalidFeeUpdate,
        InconsistentInternalState=InconsistentInternalState,
        to_checksum_address=lambda a: "0x" + a.hex(),
        defaultdict=defaultdict,
        copy=copy,
        islice=islice,
        nx=nx,
        DiGraph=DiGraph,
        NetworkXNoPath=NetworkXNoPath,
        NodeNotFound=NodeNotFound,
        opentracing=types.SimpleNamespace(tracer=types.SimpleNamespace(start_span=lambda *a, **k: Span())),
        structlog=types.SimpleNamespace(get_logger=lambda *a, **k: Silent()),
        AddressReachability=AddressReachability,
        UserPresence=UserPresence,
        get_amount_with_fees=fee_ns["get_amount_with_fees"],
        DIVERSITY_PEN_DEFAULT=5,
        FEE_PEN_DEFAULT=100,
    )
    for module in ("pathfinding_service/model/channel.py", "pathfinding_service/model/token_network.py"):
        tree = strip_imports(read_member(wheel_services, module))
        exec(compile(with_aliases(pfs_ns, tree), module, "exec"), pfs_ns)
    return pfs_ns, AddressReachability, UserPresence


class Reachability:
    """The reference tests' SimpleReachabilityContainer, as the spec describes it."""

    def __init__(self, reachable, AddressReachability, UserPresence):
        self.reachable = reachable
        self.AR = AddressReachability
        self.UP = UserPresence
        self._displayname_cache = types.SimpleNamespace(userid_to_displayname={})

    def get_address_reachability(self, address):
        return self.AR.REACHABLE if address in self.reachable else self.AR.UNKNOWN

    def get_userids_for_address(self, address):
        return {"@0x" + address.hex() + ":homeserver.com"}

    def get_userid_presence(self, user_id):
        address = bytes.fromhex(user_id[3:43])
        return self.UP.ONLINE if address in self.reachable else self.UP.OFFLINE

    def get_address_capabilities(self, _address):
        return "mxc://"


def schedule(ns, spec):
    if spec is None:
        return ns["FeeSchedule"]()
    penalty = spec["imbalance_penalty"]
    return ns["FeeSchedule"](
        cap_fees=spec["cap_fees"],
        flat=int(spec["flat"]),
        proportional=int(spec["proportional"]),
        imbalance_penalty=None if penalty is None else [(int(x), int(y)) for x, y in penalty],
    )


class Timeout(Exception):
    pass


def on_alarm(*_):
    raise Timeout()


def main():
    wheel_services, wheel_common = sys.argv[1], sys.argv[2]
    ns, AR, UP = load(wheel_services, wheel_common)
    data = json.load(sys.stdin)
    addr = lambda h: bytes.fromhex(h[2:])
    tn = ns["TokenNetwork"](addr("0x" + "01" * 20), 1500)
    channels = {}
    for cid, p, q in data["channels"]:
        channels[cid] = tn.handle_channel_opened_event(cid, addr(p), addr(q))
    for cid in data.get("closes", []):
        tn.handle_channel_removed_event(cid)
        del channels[cid]
    for cid, p, q in data.get("reopens", []):
        channels[cid] = tn.handle_channel_opened_event(cid, addr(p), addr(q))
    for cid, ((c1, s1), (c2, s2)) in data["sides"].items():
        channel = channels.get(int(cid))
        if channel is None:
            continue
        channel.capacity1 = int(c1)
        channel.capacity2 = int(c2)
        channel.fee_schedule1 = schedule(ns, s1)
        channel.fee_schedule2 = schedule(ns, s2)
    reach = Reachability({addr(a) for a in data["reachable"]}, AR, UP)
    timeout = float(data.get("timeout_seconds", 5))
    signal.signal(signal.SIGALRM, on_alarm)
    out = []
    for r in data["requests"]:
        source, target, value = addr(r["source"]), addr(r["target"]), int(r["value"])
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            error = tn.check_path_request_errors(source, target, value, reach)
            if error is not None:
                out.append({"error": error})
                continue
            paths = tn.get_paths(source, target, value, r["max_paths"], reach, r["dp"], r["fp"])
            out.append(
                {
                    "paths": [["0x" + n.hex() for n in p.nodes] for p in paths],
                    "fees": [str(p.estimated_fee) for p in paths],
                }
            )
        except Timeout:
            out.append({"timeout": True})
        except Exception as e:  # the reference crashes (HTTP 500 there)
            out.append({"crash": f"{type(e).__name__}: {e}"})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
