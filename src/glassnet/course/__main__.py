"""``python -m glassnet.course``: regenerate the shipped notebooks from the course's sources."""

from glassnet.course import _build

for path in _build.build():
    print(path.relative_to(_build.HERE))
