"""WebAssembly is 32-bit: in Pyodide numpy's index type `intp` is int32, and the numpy calls
that convert their index or count argument with the 'safe' casting rule (`ufunc.reduceat`,
`bincount`, `repeat`, `take`, `searchsorted`'s `sorter`, `ravel_multi_index`…) refuse an
int64 array there (« Cannot cast array data from dtype('int64') to dtype('int32') according
to the rule 'safe' »). 64-bit CPython cannot show that fault: int64 *is* its intp.

So the rule is checked on the source: every such argument in the package is intp by
construction — an expression naming `np.intp`, or a name (indexed or not) whose every
assignment in the function does, or comes from a numpy function that returns intp
(`flatnonzero`, `argsort`, `unique(..., return_inverse=True)`…). The real Pyodide run
(`test_lite_pyodide.py`) then runs every output sheet and the scenario search there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "allot_xl"
# call name -> positions (or keywords) of the arguments numpy casts to intp 'safely'
SINKS: dict[str, tuple[int | str, ...]] = {
    "reduceat": (1, "indices"), "bincount": (0,), "repeat": (1, "repeats"),
    "take": (1, "indices"), "searchsorted": ("sorter",), "ravel_multi_index": (0,),
    "unravel_index": (0,), "choose": (0,),
}
METHOD_SINKS = {"repeat": (0, "repeats"), "take": (0, "indices")}  # x.repeat(n), x.take(i)
INTP_SOURCES = {"intp", "flatnonzero", "nonzero", "argsort", "lexsort", "argmax", "argmin",
                "unique", "searchsorted", "argwhere", "factorize"}


def _mentions_intp(node: ast.AST) -> bool:
    names = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return bool(names & INTP_SOURCES)


def _base_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _assignments(func: ast.AST, name: str) -> list[ast.AST]:
    out: list[ast.AST] = []
    for n in ast.walk(func):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                elts = t.elts if isinstance(t, ast.Tuple) else [t]
                if any(isinstance(e, ast.Name) and e.id == name for e in elts):
                    out.append(n.value)
        elif isinstance(n, ast.AnnAssign | ast.AugAssign) and isinstance(n.target, ast.Name) \
                and n.target.id == name and n.value is not None:
            out.append(n.value)
    return out


def _is_intp(arg: ast.AST, func: ast.AST) -> bool:
    if _mentions_intp(arg):
        return True
    name = _base_name(arg)
    if name is None:
        return False
    values = _assignments(func, name)
    return bool(values) and all(_mentions_intp(v) for v in values)


def _index_args(call: ast.Call) -> list[ast.AST]:
    f = call.func
    if not isinstance(f, ast.Attribute):
        return []
    is_np = isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy")
    spots = SINKS.get(f.attr, ()) if (is_np or f.attr == "reduceat") else METHOD_SINKS.get(
        f.attr, ())
    if f.attr == "reduceat":  # np.minimum.reduceat(values, indices): a ufunc's method
        spots = (1, "indices")
    out = []
    for s in spots:
        if isinstance(s, int) and s < len(call.args):
            out.append(call.args[s])
        elif isinstance(s, str):
            out += [k.value for k in call.keywords if k.arg == s]
    return out


def _sinks() -> list[tuple[str, int, str, bool]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for func in funcs:
            for call in (n for n in ast.walk(func) if isinstance(n, ast.Call)):
                for arg in _index_args(call):
                    found.append((f"{path.relative_to(PACKAGE.parent)}:{call.lineno}",
                                  call.lineno, ast.unparse(call)[:80], _is_intp(arg, func)))
    return found


def test_the_check_sees_the_index_arguments_of_the_package() -> None:
    where = {w.split(":")[0] for w, *_ in _sinks()}
    # the offsets of component_texts and the counts of the planned holders' rows at least
    assert {"allot_xl/engine/describe.py", "allot_xl/engine/attribution.py"} <= where


SINK_CALLS = _sinks()


@pytest.mark.parametrize("where, line, call, intp", SINK_CALLS, ids=[s[0] for s in SINK_CALLS])
def test_every_index_argument_is_intp_by_construction(where, line, call, intp) -> None:
    assert intp, (f"{where}: {call} — give the index/count argument numpy's index type "
                  f"(np.intp): int64 is refused there on 32-bit WebAssembly (Pyodide)")


def test_the_check_refuses_an_int64_offset() -> None:
    bad = ast.parse("def f(codes, sizes):\n"
                    "    starts = np.cumsum(sizes.astype(np.int64))\n"
                    "    return np.minimum.reduceat(codes, starts)\n")
    func = bad.body[0]
    call = next(n for n in ast.walk(func) if isinstance(n, ast.Call)
                and getattr(n.func, "attr", "") == "reduceat")
    (arg,) = _index_args(call)
    assert not _is_intp(arg, func)
    good = ast.parse("def f(codes, sizes):\n"
                     "    starts = np.cumsum(sizes).astype(np.intp)\n"
                     "    return np.minimum.reduceat(codes, starts)\n")
    func = good.body[0]
    call = next(n for n in ast.walk(func) if isinstance(n, ast.Call)
                and getattr(n.func, "attr", "") == "reduceat")
    assert _is_intp(_index_args(call)[0], func)
