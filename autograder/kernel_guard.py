"""The grader's integrity check inside the notebook's kernel (issue 16).

:mod:`autograder.sandbox_runner` never imports this module in the kernel: it sends its source
through the ``user_expressions`` of an execute request before the first cell runs (no input
transformer, event or history sees it, and its source is in no ``linecache`` entry), and
:func:`install` leaves one callable in ``builtins`` under a random name. Before and after every
graded cell the runner evaluates ``<name>("<nonce>")``, again as a user expression, with a fresh
random nonce; the callable answers ``"<digest>|<verdict>"`` where the digest is a keyed BLAKE2b
of nonce and verdict under a key that only the runner and this closure hold. An answer that is
missing, or whose digest does not match (a check that did not run, was replaced or was
answered by something else) is a violation, as is any verdict but ``ok``.

The verdict compares the kernel with what it was when :func:`install` ran, before any
submission code:

- the frames that called the check: the kernel's dispatch of the execute request, its
  ``do_execute`` and IPython's ``user_expressions`` (a wrapper anywhere on that path is seen);
- builtins (the names tests rely on, and ``compile``/``exec``/``eval``/``__import__``), the
  builtins module of the notebook's namespace, ``sys`` hooks (``excepthook``, ``displayhook``,
  trace/profile/audit functions), the assert helpers of ``math`` and, once imported, of NumPy
  and PyTorch (judged by where their code lives: a C function or type of the package, or a
  function of its files bound to its module);
- IPython's and ipykernel's machinery: the shell, the kernel, its session, the compiler, the
  input transformer manager, events, display hook/publisher/formatter — same objects, same
  classes, no method replaced on an instance or on a class — and their lists: input
  transformers (cleanup, line, token, post), AST transformers, event callbacks (a callback a
  package registers may be added if it is a module-level function of a file of the Python
  environment, judged by where its code lives), custom exception handlers, shell handlers;
- trace and profile functions: now (``sys.gettrace``/``getprofile``, ``threading``'s hooks) and
  ever since the install (an audit hook written in C, ``dict.setdefault``, records every
  ``sys.settrace``/``sys.setprofile``, also one undone before the check; a trace function cannot
  jump over the one line that computes the answer), and audit hooks added by anything but
  ``dlgd_course.own_work``;
- ``dlgd_course.own_work``, once imported: every function and method compiled from the file on
  disk (fingerprints of their code), bound to the module's own globals, no name injected into
  the module, its imports the real modules, its constants unchanged, ``_STATE`` the same
  ``_State`` object with plain fields and no reference window left open, ``OwnWorkError`` the
  library's, the cache of trusted files not poisoned; every module of the library calling this
  module's ``guard_answer``; and each ``dlgd_course.assignments.<slug>.PARTS`` as its source
  defines it, the code of its functions unchanged since.

All of this runs inside the process the submission controls: it raises the bar, it is no
security boundary. Beyond it: a submission that digs the key out of this closure (or runs a
trace function aimed at this code), one that undoes its changes before each check and redoes
them after (from a thread, a signal handler or an event-loop callback), and changes made and
undone within one graded cell (a student function called by the test that swaps
``dlgd_course.own_work._STATE.locked`` and puts the same object back; a lock left changed is
recorded by own_work in ``_STATE.tampered`` and flagged here). See the module doc of
:mod:`autograder.sandbox_runner`.
"""

from __future__ import annotations

from typing import Any


def install(key_hex: str, name: str, nonce: str, config: dict[str, Any]) -> str:
    """Snapshot the kernel, put the check in ``builtins.<name>`` and answer ``nonce``.

    ``config``: ``builtins`` (names), ``helpers`` and ``late_helpers`` (module → names),
    ``own_work`` (module name of the in-kernel lock, or ``None``), ``assignments`` (package of
    the part registries). Returns the signed verdict of a first check.
    """
    import ast
    import builtins
    import contextlib
    import hashlib
    import importlib
    import importlib.util
    import os
    import sys
    import sysconfig
    import threading
    import types

    key = bytes.fromhex(key_hex)
    blake2b = hashlib.blake2b
    getframe, gettrace, getprofile = sys._getframe, sys.gettrace, sys.getprofile
    function_type, module_type = types.FunctionType, types.ModuleType
    modules = sys.modules
    ok = "ok"

    # C-level recorder of trace/profile changes (un-jumpable, sees changes undone later).
    recorded: dict[str, Any] = {}
    traced = frozenset({"sys.settrace", "sys.setprofile"})
    sys.addaudithook(recorded.setdefault)
    sticky: list[str] = []

    from IPython import get_ipython

    shell = get_ipython()
    kernel = shell.kernel
    user_ns = shell.user_ns
    builtins_dict = vars(builtins)

    # --- what "the original" is --------------------------------------------------------------
    originals = {("builtins", n): builtins_dict[n] for n in config["builtins"] if n in builtins_dict}
    for module_name, names in config["helpers"].items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        originals.update({(module_name, n): getattr(module, n) for n in names if hasattr(module, n)})
    for module_name, attr in (
        ("contextlib", "contextmanager"),
        ("contextlib", "_GeneratorContextManager"),
        ("importlib", "import_module"),
        ("threading", "local"),
    ):
        originals[(module_name, attr)] = getattr(modules[module_name], attr)
    sys_hooks = {
        n: getattr(sys, n)
        for n in (
            "excepthook",
            "displayhook",
            "_getframe",
            "settrace",
            "setprofile",
            "gettrace",
            "getprofile",
            "addaudithook",
            "audit",
            "exc_info",
            "modules",
        )
    }
    threading_hooks = (getattr(threading, "_trace_hook", None), getattr(threading, "_profile_hook", None))
    threading_functions = (threading.settrace, threading.setprofile)

    def watched_objects() -> list[tuple[str, Any]]:
        found = [
            ("the shell", shell),
            ("the kernel", kernel),
            ("the kernel's session", kernel.session),
            ("the shell's compiler", shell.compile),
            ("the input transformer manager", shell.input_transformer_manager),
            ("the shell's events", shell.events),
            ("the display hook", shell.displayhook),
            ("the display publisher", shell.display_pub),
            ("the display formatter", shell.display_formatter),
            ("the traceback formatter", shell.InteractiveTB),
        ]
        stream = getattr(kernel, "shell_stream", None)
        if stream is not None:
            found += [
                ("the kernel's shell stream", stream),
                ("the kernel's shell socket", getattr(stream, "socket", None)),
            ]
        return [(label, obj) for label, obj in found if obj is not None]

    def is_routine(value: Any) -> bool:
        return callable(value) or isinstance(value, (classmethod, staticmethod, property))

    objects = watched_objects()
    object_snapshots = []
    class_snapshots: dict[type, list[Any]] = {}

    def watch_class(label: str, watched: type) -> None:
        for cls in watched.__mro__:
            if cls.__module__ != "builtins" and cls not in class_snapshots:
                members = {k: v for k, v in vars(cls).items() if is_routine(v)}
                class_snapshots[cls] = [f"{label}'s class {cls.__qualname__}", members, len(vars(cls))]

    for label, obj in objects:
        instance = getattr(obj, "__dict__", None)
        object_snapshots.append(
            (label, obj, type(obj), {k: v for k, v in (instance or {}).items() if is_routine(v)})
        )
        watch_class(label, type(obj))
    watch_class("contextlib", contextlib._GeneratorContextManager)
    # set by IPython itself while a cell runs (the excepthook it restores after the cell)
    per_cell = {("the shell", "sys_excepthook"): sys.excepthook}
    manager = shell.input_transformer_manager
    lists = {
        "input transformer (input_transformers_cleanup)": lambda: manager.cleanup_transforms,
        "input transformer (line_transforms)": lambda: manager.line_transforms,
        "input transformer (token_transformers)": lambda: manager.token_transformers,
        "input transformer (input_transformers_post)": lambda: shell.input_transformers_post,
        "AST transformer (ast_transformers)": lambda: shell.ast_transformers,
    }
    list_snapshots = {label: list(get()) for label, get in lists.items()}
    events = shell.events
    callback_snapshot = {event: list(callbacks) for event, callbacks in events.callbacks.items()}
    custom_exceptions = shell.custom_exceptions
    custom_tb = shell.__dict__.get("CustomTB")
    handlers = {
        table: dict(getattr(kernel, table, {}) or {}) for table in ("shell_handlers", "control_handlers")
    }

    # Code of the Python environment (where a package's own event callback may live).
    roots = set()
    for path in (sys.prefix, sys.base_prefix, *sysconfig.get_paths().values()):
        if path:
            roots.update({path.rstrip("/") + "/", os.path.realpath(path).rstrip("/") + "/"})
    environment_roots = tuple(sorted(roots))

    # The frames that evaluate a user expression (see check()).
    user_expressions_code = type(shell).user_expressions.__code__
    frame = getframe(1)
    while frame is not None and frame.f_code is not user_expressions_code:
        frame = frame.f_back
    if frame is None:
        raise RuntimeError("the grader's check must be installed through user_expressions")
    call_path = []
    while frame is not None:
        call_path.append(frame.f_code)
        frame = frame.f_back

    # --- dlgd_course.own_work: what its file on disk compiles to ------------------------------
    contextmanager_helper = contextlib.contextmanager(lambda: iter(())).__code__

    def fingerprint(code: types.CodeType) -> tuple:
        return (
            code.co_qualname,
            code.co_code,
            code.co_names,
            code.co_varnames,
            code.co_freevars,
            code.co_cellvars,
            code.co_argcount,
            code.co_posonlyargcount,
            code.co_kwonlyargcount,
            code.co_flags,
            tuple(fingerprint(c) if isinstance(c, types.CodeType) else c for c in code.co_consts),
        )

    def nested_codes(code: types.CodeType, into: dict[str, tuple]) -> dict[str, tuple]:
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                into[const.co_qualname] = fingerprint(const)
                nested_codes(const, into)
        return into

    own_work_name = config.get("own_work")
    expected: dict[str, Any] | None = None
    package_spec = importlib.util.find_spec(own_work_name.split(".")[0]) if own_work_name else None
    if package_spec is not None and package_spec.submodule_search_locations:
        path = os.path.join(
            list(package_spec.submodule_search_locations)[0], own_work_name.split(".")[-1] + ".py"
        )
        if os.path.isfile(path):
            with open(path, "rb") as stream:
                source = stream.read()
            tree = ast.parse(source)
            names, imports, constants, classes, bases, functions = set(), [], {}, {}, {}, set()
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(node.name)
                    functions.add(node.name)
                elif isinstance(node, ast.ClassDef):
                    names.add(node.name)
                    bases[node.name] = tuple(
                        base.id if isinstance(base, ast.Name) else None for base in node.bases
                    )
                    classes[node.name] = {
                        item.name
                        for item in node.body
                        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    }
                    for item in node.body:
                        targets = getattr(item, "targets", [getattr(item, "target", None)])
                        classes[node.name] |= {t.id for t in targets if isinstance(t, ast.Name)}
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        bound = alias.asname or alias.name.split(".")[0]
                        names.add(bound)
                        imports.append((bound, alias.name if alias.asname else bound, None))
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    for alias in node.names:
                        names.add(alias.asname or alias.name)
                        imports.append((alias.asname or alias.name, node.module, alias.name))
                elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if isinstance(target, ast.Name):
                            names.add(target.id)
                            with contextlib.suppress(ValueError, TypeError, SyntaxError):
                                value = ast.literal_eval(node.value) if node.value is not None else None
                                if value or not isinstance(value, (dict, list, set)):  # not a cache
                                    constants[target.id] = value
            expected = {
                "path": os.path.realpath(path),
                "names": names
                | {
                    "__name__",
                    "__doc__",
                    "__package__",
                    "__loader__",
                    "__spec__",
                    "__file__",
                    "__cached__",
                    "__builtins__",
                    "__annotations__",
                },
                "imports": imports,
                "constants": constants,
                "classes": classes,
                "bases": bases,
                "functions": functions,
                "codes": nested_codes(compile(source, path, "exec", dont_inherit=True), {}),
            }
    verified: dict[str, Any] = {}  # objects of the module already verified (identity → fast)
    trusted_files_seen: dict[str, bool] = {}
    dataclass_methods = {"__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"}
    import dataclasses

    generated_files = {"<string>", dataclasses.__file__}
    class_data = {
        "__module__",
        "__qualname__",
        "__doc__",
        "__dict__",
        "__weakref__",
        "__annotations__",
        "__dataclass_fields__",
        "__dataclass_params__",
        "__match_args__",
        "__slots__",
        "__hash__",
        "__parameters__",
        "__orig_bases__",
    }

    # --- the check --------------------------------------------------------------------------
    def changed(problems: list[str], what: str) -> None:
        problems.append(f"the submission changed how cells run: {what}")

    def callback_allowed(callback: Any) -> bool:
        """A module-level function of the Python environment (a package registering itself),
        judged by where its code lives and by the module that holds it."""
        if type(callback) is not function_type:
            return False
        code = callback.__code__
        if not code.co_filename.startswith(environment_roots):
            return False
        namespace = callback.__globals__
        module = modules.get(namespace.get("__name__"))
        return (
            module is not None
            and vars(module) is namespace
            and namespace.get("__file__") == code.co_filename
            and namespace.get(code.co_name) is callback
        )

    def inspect_machinery(problems: list[str]) -> None:
        if set(events.callbacks) != set(callback_snapshot):
            changed(problems, "an event callback was registered for a new event")
        for event, callbacks in events.callbacks.items():
            before = callback_snapshot.get(event, [])
            for callback in callbacks:
                if not any(callback is b for b in before) and not callback_allowed(callback):
                    name = getattr(callback, "__qualname__", type(callback).__name__)
                    changed(problems, f"an event callback was registered for {event!r} ({name})")
            if any(not any(b is c for c in callbacks) for b in before):
                changed(problems, f"an event callback of {event!r} was removed")
        if shell.custom_exceptions != custom_exceptions or shell.__dict__.get("CustomTB") is not custom_tb:
            changed(problems, "a custom exception handler was set (set_custom_exc)")
        for label, get in lists.items():
            current, before = list(get()), list_snapshots[label]
            if len(current) != len(before) or any(a is not b for a, b in zip(current, before, strict=True)):
                changed(problems, f"an {label} was added or changed")
        for (module_name, attr), original in originals.items():
            module = builtins if module_name == "builtins" else modules.get(module_name)
            if module is None or vars(module).get(attr) is not original:
                changed(problems, f"{module_name}.{attr} was replaced")
        if user_ns.get("__builtins__") is not builtins or shell.user_ns is not user_ns:
            changed(problems, "the notebook's namespace or its builtins were replaced")
        for attr, original in sys_hooks.items():
            if vars(sys).get(attr) is not original:
                changed(problems, f"sys.{attr} was replaced")
        for module_name, names in config["late_helpers"].items():
            module = modules.get(module_name)
            for attr in names if module is not None else ():
                found = getattr(module, attr, None)
                if found is not None and not late_helper_is_original(module_name, attr, found):
                    changed(problems, f"{module_name}.{attr} was replaced")
        for label, obj, obj_type, routines in object_snapshots:
            if type(obj) is not obj_type:
                changed(problems, f"the class of {label} was replaced")
            current = getattr(obj, "__dict__", None) or {}
            for attr, value in current.items():
                if (
                    routines.get(attr) is not value
                    and is_routine(value)
                    and attr != "CustomTB"
                    and per_cell.get((label, attr), per_cell) is not value
                ):
                    changed(problems, f"{label}'s `{attr}` was replaced")
            for attr, value in routines.items():
                if current.get(attr) is not value:
                    changed(problems, f"{label}'s `{attr}` was replaced")
        for getter_label, current in (
            ("the shell's compiler", shell.compile),
            ("the input transformer manager", shell.input_transformer_manager),
            ("the shell's events", shell.events),
            ("the display hook", shell.displayhook),
            ("the display publisher", shell.display_pub),
            ("the display formatter", shell.display_formatter),
            ("the kernel", shell.kernel),
            ("the kernel's session", kernel.session),
        ):
            if not any(obj is current for _, obj, _, _ in object_snapshots):
                changed(problems, f"{getter_label} was replaced")
        for cls, snapshot in class_snapshots.items():
            label, members, size = snapshot
            namespace = vars(cls)
            for attr, value in members.items():
                if namespace.get(attr) is not value:
                    changed(problems, f"`{attr}` of {label} was replaced")
            if len(namespace) != size:
                added = [
                    attr for attr, value in namespace.items() if attr not in members and is_routine(value)
                ]
                for attr in added:
                    changed(problems, f"`{attr}` was added to {label}")
                if not added:
                    snapshot[2] = len(namespace)
        for table, entries in handlers.items():
            current = getattr(kernel, table, {}) or {}
            if len(current) != len(entries) or any(current.get(k) is not v for k, v in entries.items()):
                changed(problems, f"the kernel's {table} were replaced")
        if (
            getattr(threading, "_trace_hook", None),
            getattr(threading, "_profile_hook", None),
        ) != threading_hooks or (threading.settrace, threading.setprofile) != threading_functions:
            changed(problems, "a trace function was installed for new threads (threading.settrace)")
        monitoring = getattr(sys, "monitoring", None)
        if monitoring is not None and any(monitoring.get_tool(i) is not None for i in range(6)):
            changed(problems, "a monitoring tool was registered (sys.monitoring)")
        problems.extend(sticky)

    late_verified: dict[tuple[str, str], Any] = {}
    heap_type = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class created by Python code

    def late_helper_is_original(module_name: str, attr: str, found: Any) -> bool:
        """An assert helper of a package imported after the install (NumPy, PyTorch): a C
        function of the package's native registry (PyTorch's), a function of the package's own
        files bound to its module, or a C wrapper of the package (NumPy's array-function
        dispatcher) around such a function — judged by where the code lives."""
        if late_verified.get((module_name, attr)) is found:
            return True
        top = modules.get(module_name.split(".")[0])
        if top is None or not getattr(top, "__file__", None):
            return False
        package = os.path.dirname(os.path.realpath(top.__file__)) + "/"

        def of_package(function: Any) -> bool:
            if type(function) is not function_type or function.__code__.co_name != attr:
                return False
            module = modules.get(function.__globals__.get("__name__"))
            return (
                os.path.realpath(function.__code__.co_filename).startswith(package)
                and module is not None
                and vars(module) is function.__globals__
                and function.__globals__.get("__file__") == function.__code__.co_filename
            )

        if type(found) is types.BuiltinFunctionType:
            registry = getattr(getattr(top, "_C", None), "_VariableFunctions", None)
            good = registry is not None and getattr(registry, attr, None) is found
        elif type(found) is function_type:
            good = of_package(found)
        else:  # a C type of the package (not one a notebook can define) wrapping one
            wrapper = type(found)
            good = (
                not wrapper.__flags__ & heap_type
                and wrapper.__module__.split(".")[0] == top.__name__
                and of_package(getattr(found, "__wrapped__", None))
            )
        if good:
            late_verified[(module_name, attr)] = found
        return good

    def inspect_own_work(problems: list[str]) -> None:
        module = modules.get(own_work_name) if own_work_name else None
        what = f"{own_work_name} was modified"
        if module is None and "module" in verified:
            changed(problems, f"{what}: the module was removed from sys.modules")
        if module is None or expected is None:
            return
        if verified.get("module") is not module:
            if verified:
                changed(problems, f"{what}: the module was replaced")
                return
            if (
                type(module) is not module_type
                or os.path.realpath(str(getattr(module, "__file__", ""))) != expected["path"]
            ):
                changed(problems, f"{what}: the module is not the library's file")
                return
            verified["module"] = module
        namespace = vars(module)
        if verified.get("size") != len(namespace):
            extra = sorted(set(namespace) - expected["names"])
            if extra:
                changed(problems, f"{what}: names added to it ({', '.join(extra[:5])})")
            verified["size"] = len(namespace)
        for bound, module_name, attr in expected["imports"]:
            source = modules.get(module_name)
            real = source if attr is None else getattr(source, attr, None)
            if source is None or namespace.get(bound) is not real:
                changed(problems, f"{what}: `{bound}` is not what it imports")
        for name, value in expected["constants"].items():
            if namespace.get(name) != value:
                changed(problems, f"{what}: `{name}` was changed")
        codes = expected["codes"]
        for name in expected["functions"]:
            value = namespace.get(name)
            if type(value) is not function_type:
                changed(problems, f"{what}: `{name}` is not the library's")
            else:
                verify_function(problems, what, name, value, codes, namespace)
        for name in expected["classes"]:
            value = namespace.get(name)
            if not isinstance(value, type):
                changed(problems, f"{what}: `{name}` is not the library's")
            else:
                verify_class(problems, what, name, value, codes, namespace)
        state = namespace.get("_STATE")
        state_class = namespace.get("_State")
        if (
            verified.setdefault("_STATE", state) is not state
            or type(state) is not state_class
            or type(vars(state).get("locked")) is not types.MappingProxyType
            or type(vars(state).get("windows")) is not threading.local
            or type(vars(state).get("tampered")) is not list
        ):
            changed(problems, f"{what}: `_STATE` (its lock) is not the library's")
        elif getattr(vars(state)["windows"], "current", None) is not None:  # between cells: none open
            changed(problems, f"{what}: a reference window (`_STATE.windows.current`) was left open")
        elif vars(state)["tampered"]:
            changed(problems, f"{what}: {vars(state)['tampered'][0]}")
        trusted = namespace.get("_TRUSTED_FILES")
        if verified.setdefault("_TRUSTED_FILES", trusted) is not trusted or type(trusted) is not dict:
            changed(problems, f"{what}: `_TRUSTED_FILES` was replaced")
        elif len(trusted) != len(trusted_files_seen):
            roots = namespace.get("_TRUSTED_ROOTS")
            if verified.setdefault("_TRUSTED_ROOTS", roots) is not roots or type(roots) is not tuple:
                changed(problems, f"{what}: `_TRUSTED_ROOTS` was replaced")
            for filename, trusted_file in list(trusted.items()):
                if filename not in trusted_files_seen:
                    real = filename.startswith("<frozen ") or (
                        filename.startswith("/") and os.path.realpath(filename).startswith(roots)
                    )
                    if trusted_file and not real:
                        changed(problems, f"{what}: {filename!r} was marked as library code")
                    trusted_files_seen[filename] = trusted_file
        inspect_parts(problems, what, namespace)

    def verify_function(
        problems: list[str], what: str, name: str, function: Any, codes: dict, namespace: dict
    ) -> None:
        if verified.get(name) is function and verified.get(name + ".__code__") is function.__code__:
            return
        target = function
        if function.__code__ is contextmanager_helper:  # @contextmanager: check the generator
            target = getattr(function, "__wrapped__", None)
            cells = function.__closure__ or ()
            if not isinstance(target, function_type) or not cells or cells[0].cell_contents is not target:
                changed(problems, f"{what}: `{name}` is not the library's")
                return
        if (
            target.__globals__ is not namespace
            or codes.get(target.__code__.co_qualname) != fingerprint(target.__code__)
            or target.__code__.co_qualname != name
        ):
            changed(problems, f"{what}: `{name}` is not the library's")
            return
        verified[name], verified[name + ".__code__"] = function, function.__code__

    def verify_class(
        problems: list[str], what: str, name: str, cls: type, codes: dict, namespace: dict
    ) -> None:
        members = dict(vars(cls))
        before = verified.get(name + ".members")  # the members verified last time (kept alive)
        if (
            verified.get(name) is cls
            and before is not None
            and len(before) == len(members)
            and all(members.get(k) is v for k, v in before.items())
        ):
            return
        defined = expected["classes"][name]
        count = len(problems)
        if (
            cls.__module__ != own_work_name
            or cls.__qualname__ != name
            or tuple(base.__name__ for base in cls.__bases__) != (expected["bases"][name] or ("object",))
        ):
            changed(problems, f"{what}: `{name}` is not the library's")
            return
        for attr, value in members.items():
            function = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
            if isinstance(function, property):
                changed(problems, f"{what}: a property `{attr}` was put on `{name}`")
            elif isinstance(function, function_type):
                code = function.__code__
                if attr in defined:
                    good = (
                        codes.get(code.co_qualname) == fingerprint(code) and function.__globals__ is namespace
                    )
                else:  # written by @dataclass (exec'd; __repr__ wrapped by dataclasses itself)
                    good = attr in dataclass_methods and code.co_filename in generated_files
                if not good:
                    changed(problems, f"{what}: `{name}.{attr}` is not the library's")
            elif attr not in defined and attr not in class_data:
                changed(problems, f"{what}: `{name}.{attr}` was added")
        if len(problems) == count:
            verified[name], verified[name + ".members"] = cls, members

    def inspect_parts(problems: list[str], what: str, own_namespace: dict) -> None:
        """The library's modules call this module's ``guard_answer`` (not a stand-in bound in
        one of them), and each loaded part registry (``PARTS`` of an assignment module) is what
        its source builds, with the library functions' code unchanged since."""
        if verified.get("modules") != len(modules):
            package = own_work_name.split(".")[0] + "."
            loaded = [m for n, m in list(modules.items()) if n.startswith(package) and m is not None]
            verified["library"] = [m for m in loaded if "guard_answer" in vars(m)]
            verified["registries"] = [m for m in loaded if m.__name__.startswith(config["assignments"] + ".")]
            verified["modules"] = len(modules)
        guard = own_namespace.get("guard_answer")
        for library_module in verified["library"]:
            if vars(library_module).get("guard_answer") is not guard:
                changed(problems, f"{what}: {library_module.__name__}.guard_answer is not the library's")
        for registry in verified["registries"]:
            snapshot = verified.get(("parts", registry))
            if snapshot is None:
                snapshot = verified[("parts", registry)] = fresh_parts(registry)
            if snapshot is None:
                continue
            parts = getattr(registry, "PARTS", None)
            if (
                parts is not snapshot[0]
                or len(parts) != len(snapshot[1])
                or any(
                    parts.get(k) is not part or part_fields(part) != fields
                    for k, (part, fields) in snapshot[1].items()
                )
            ):
                changed(problems, f"{what}: the graded parts of {registry.__name__} were changed")

    def part_fields(part: Any) -> tuple:
        """What locks a part: its answers and fallback, each with its code, and ``trains``."""
        functions = (*part.answers, part.fallback)
        return (tuple((f, getattr(f, "__code__", None)) for f in functions), part.trains)

    def same_function(loaded: Any, fresh: Any, registry: Any) -> bool:
        """The same library function; or, for one the registry defines itself (a fallback),
        the same code, bound to the registry's globals."""
        if loaded is fresh:
            return True
        if type(loaded) is not function_type or type(fresh) is not function_type:
            return False
        return (
            loaded.__globals__ is vars(registry)
            and loaded.__code__.co_filename == registry.__file__
            and fingerprint(loaded.__code__) == fingerprint(fresh.__code__)
        )

    def fresh_parts(registry: Any) -> tuple | None:
        path = getattr(registry, "__file__", None)
        if not path or not os.path.isfile(path):
            return None
        with open(path, "rb") as stream:
            namespace = {"__name__": registry.__name__ + "._dlgd_check", "__builtins__": builtins}
            exec(compile(stream.read(), path, "exec", dont_inherit=True), namespace)
        fresh, parts = namespace.get("PARTS"), getattr(registry, "PARTS", None)
        if not isinstance(parts, dict) or not isinstance(fresh, dict) or set(fresh) != set(parts):
            return (object(), {})  # never matches: the registry differs from its source
        for key, part in parts.items():
            other = fresh[key]
            mine, theirs = (*part.answers, part.fallback), (*other.answers, other.fallback)
            if (
                part.trains != other.trains
                or len(mine) != len(theirs)
                or not all(same_function(a, b, registry) for a, b in zip(mine, theirs, strict=True))
            ):
                return (object(), {})
        return parts, {k: (p, part_fields(p)) for k, p in parts.items()}

    def on_audit(event: str, args: tuple) -> None:
        if event == "sys.addaudithook":
            frame = getframe(1)
            code = frame.f_code
            if not (
                expected is not None
                and code.co_qualname == "graded_part"
                and expected["codes"].get("graded_part") == fingerprint(code)
                and os.path.realpath(code.co_filename) == expected["path"]
            ):
                sticky.append(
                    "the submission changed how cells run: an audit hook was added "
                    f"(sys.addaudithook, from {code.co_filename}:{frame.f_lineno})"
                )

    def verify_caller(problems: list[str], frame: Any) -> None:
        """``frame``: the user expression that called the check; below it, the kernel's path."""
        expression = frame.f_code if frame is not None else None
        frame = frame.f_back if frame is not None else None
        path = []
        while frame is not None:
            path.append(frame.f_code)
            frame = frame.f_back
        if (
            expression is None
            or expression.co_filename != "<string>"
            or len(path) != len(call_path)
            or any(a is not b for a, b in zip(path, call_path, strict=True))
        ):
            problems.append(
                "the grader's check was called through code that is not the kernel's "
                "(user_expressions, do_execute or the message dispatch was wrapped)"
            )

    traced_reason = [
        "the submission changed how cells run: a trace function or profile function "
        "was installed or attempted (sys.settrace or sys.setprofile)"
    ]

    def check(nonce: str, _first: bool = False) -> str:
        problems: list[str] = []
        try:
            if not _first:
                verify_caller(problems, getframe(1))
            inspect_machinery(problems)
            inspect_own_work(problems)
        except BaseException as error:  # noqa: BLE001  (a failed inspection is a verdict too)
            problems.append(
                f"the grader's check failed inside the kernel ({type(error).__name__}: {str(error)[:200]})"
            )
        problems = [problem.replace("\n", " ")[:400] for problem in problems]
        # One line from the trace-function test to the signature: a trace function gets no
        # line event between them to jump over the test or to rewrite the verdict.
        # fmt: off
        return blake2b(f"{nonce}|{(verdict := (problems or traced_reason)[0] if problems or recorded.keys() & traced or gettrace() is not None or getprofile() is not None else ok)}".encode(), key=key, digest_size=16).hexdigest() + "|" + verdict  # noqa: E501
        # fmt: on

    sys.addaudithook(on_audit)
    builtins_dict[name] = check
    return check(nonce, True)
