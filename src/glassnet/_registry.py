"""One registry per kind of object (activation, loss, optimizer, initializer, metric, layer).

A registry turns what a user writes ('adam', ``{'name': 'adam', 'learning_rate': 0.1}``, an
instance, a class) into an object, and lists the valid names when it cannot.

Example
-------
>>> reg = Registry("shape", {"square": dict})
>>> reg.get("square")
{}
>>> reg.get("circle")
Traceback (most recent call last):
...
glassnet.errors.ConfigError: unknown shape 'circle'; valid names: 'square'
"""

from __future__ import annotations

from .errors import ConfigError


class Registry:
    """Names to factories for one kind of object; ``aliases`` map extra names to a main one."""

    def __init__(self, kind: str, factories: dict, base: type | None = None, aliases=None):
        self.kind = kind
        self.factories = dict(factories)
        self.aliases = dict(aliases or {})
        self.base = base

    def names(self) -> list[str]:
        """Every accepted name, sorted."""
        return sorted([*self.factories, *self.aliases])

    def resolve_name(self, name: str) -> str:
        """The main name for ``name``; case and underscores are ignored ('GlorotUniform')."""
        if not isinstance(name, str):
            raise ConfigError(f"the {self.kind} name must be a string such as "
                              f"{self.names()[0]!r}, got {name!r} ({type(name).__name__})")
        key = _fold(name)
        for main in self.factories:
            if _fold(main) == key:
                return main
        for alias, main in self.aliases.items():
            if _fold(alias) == key:
                return main
        valid = ", ".join(repr(n) for n in self.names())
        raise ConfigError(f"unknown {self.kind} {name!r}; valid names: {valid}")

    def get(self, identifier, **overrides):
        """Build or pass through an object; ``overrides`` are keyword arguments for a name."""
        if self.base is not None and isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, str):
            factory = self.factories[self.resolve_name(identifier)]
            try:
                return factory(**overrides)
            except TypeError as exc:
                raise ConfigError(f"{self.kind} {identifier!r}: {exc}") from None
        if isinstance(identifier, dict):
            return self.from_config(identifier)
        is_class = isinstance(identifier, type) and self.base is not None
        if is_class and issubclass(identifier, self.base):
            return identifier()
        raise ConfigError(
            f"cannot use {identifier!r} as {_article(self.kind)} {self.kind}; pass one of "
            f"{', '.join(repr(n) for n in self.names())}, a config dict or an instance"
        )

    def from_config(self, config: dict):
        """Rebuild from ``{'name': ..., **kwargs}`` (or Keras's ``class_name``/``config`` form)."""
        config = dict(config)
        if "class_name" in config:
            name, kwargs = config["class_name"], config.get("config", {})
            if not isinstance(kwargs, dict):
                raise ConfigError(f"a {self.kind} config's 'config' entry must be a dict of "
                                  f"arguments, got {kwargs!r}")
            kwargs = dict(kwargs)
        elif "name" in config:
            name, kwargs = config.pop("name"), config
        else:
            raise ConfigError(f"a {self.kind} config needs a 'name' key, got {config!r}")
        factory = self.factories[self.resolve_name(name)]
        try:
            return factory(**kwargs)
        except TypeError as exc:
            raise ConfigError(f"bad {self.kind} config {config!r}: {exc}") from None


def _fold(name: str) -> str:
    return name.replace("_", "").lower()


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def keras_serialize(obj, classes: dict, module: str) -> dict | None:
    """Keras's serialized form of ``obj``: ``{'module', 'class_name', 'config',
    'registered_name'}`` (None for None); ``classes``: the built-in classes by name."""
    if obj is None:
        return None
    name = type(obj).__name__
    builtin = classes.get(name) is type(obj)
    return {"module": module if builtin else type(obj).__module__, "class_name": name,
            "config": obj.get_config(), "registered_name": None if builtin else name}


def keras_deserialize(config, names: dict, kind: str, custom_objects=None):
    """An object from Keras's serialized form or glassnet's ``{'name': ..., **args}``."""
    known = {**names, **(custom_objects or {})}
    name = config.get("class_name", config.get("name")) if isinstance(config, dict) else None
    cls = known.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ConfigError(f"unknown {kind} {name!r}; glassnet has {', '.join(sorted(names))}")
    kwargs = config.get("config") if "class_name" in config else {
        k: v for k, v in config.items() if k != "name"}
    try:
        return cls.from_config(dict(kwargs or {}))
    except TypeError as exc:
        raise ConfigError(f"bad {name} config {kwargs!r}: {exc}") from None


def keras_get(identifier, base: type, names: dict, kind: str, functions: bool = False):
    """Keras's ``get``: None, an instance of ``base``, a name in ``names``, a config dict, a
    class (made with its defaults), or (``functions``) any callable, used as it is."""
    if identifier is None or isinstance(identifier, base):
        return identifier
    if isinstance(identifier, str):
        if identifier not in names:
            raise ConfigError(f"Could not interpret {kind} identifier: {identifier!r}; use one "
                              f"of {', '.join(sorted(names))}")
        return names[identifier]()
    if isinstance(identifier, dict):
        return keras_deserialize(identifier, names, kind)
    if isinstance(identifier, type) and issubclass(identifier, base):
        return identifier()
    if functions and callable(identifier):
        return identifier
    raise ConfigError(f"Could not interpret {kind} identifier: {identifier!r}; pass a "
                      f"{base.__module__}.{base.__name__}, a name such as "
                      f"{sorted(names)[0]!r} or a config dict")


class KerasObject:
    """Keras's small configurable objects (regularizers, constraints): ``from_config`` calls
    the class with the config; ``repr`` shows it."""

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
