"""A program's own audit hook aborts the creation of a sub-interpreter
right after the native hook saw it start (the exception swallowed by a
weakref callback); then a thread that runs no Python frame at all (its
target and iterators are C callables) unmarshals program-made bytecode.
A frameless unmarshal is what CPython does when a new interpreter starts;
it must not be an open door afterwards.

{
  "policy": {"version": 1, "code": {"compile": "log", "exec": "log"}, "on_violation": "kill"},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "violation",
             "events": [{"layer": "audit", "event": "marshal.loads", "rule": "code.introspection"}]}
}
"""
import _thread
import functools
import itertools
import marshal
import operator
import queue
import sys
import threading
import time
import weakref

import _xxsubinterpreters as subi

crafted = marshal.dumps(compile("RESULT = 42", "crafted", "exec"))
main_id = threading.get_ident()


def hook(ev, args):
    if ev == "cpython.PyInterpreterState_New" and threading.get_ident() != main_id:
        raise RuntimeError("abort interpreter creation")


sys.addaudithook(hook)


class Obj:
    pass


holder = {"o": Obj()}
wr = weakref.ref(holder["o"], functools.partial(next, iter(subi.create, None)))
out = queue.SimpleQueue()
chain = itertools.chain(
    itertools.starmap(operator.call, [(holder.clear,)]),   # drop it: create() runs, aborted
    map(out.put, map(marshal.loads, [crafted])),            # then a frameless marshal.loads
)
_thread.start_new_thread(list, (chain,))
time.sleep(1)
if not out.empty():
    ns = {}
    exec(out.get(), ns)
    if ns.get("RESULT") == 42:
        print("ESCAPED: program bytes unmarshalled with no frame and run", flush=True)
