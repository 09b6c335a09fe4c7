"""What a test needs from the machine: on a developer's machine a missing program or package skips
the test with the reason; under CI (CI=true), where .ci/run installs them, the test runs and fails."""
import importlib.util
import os
import shutil

import pytest

IN_CI = os.environ.get("CI") == "true"


def program(name: str, install: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which(name) is None and not IN_CI,
                              reason=f"{name} is not installed ({install}); under CI this fails instead")


def package(module: str, install: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(importlib.util.find_spec(module.split(".")[0]) is None and not IN_CI,
                              reason=f"{module} is not installed ({install}); under CI this fails instead")
