"""The app's tabs, in display order. Each module has build() and runs alone under __main__."""
import os

# Before gradio is imported: no analytics or telemetry calls from a lab that may run offline.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from demos import cgan_digits  # noqa: E402

TABS = [cgan_digits]
