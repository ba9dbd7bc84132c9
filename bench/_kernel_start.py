"""One bare kernel: start the python3 kernel with jupyter_client, wait until it answers, shut it down.

    python bench/_kernel_start.py    # prints one JSON line: import, start (until ready), stop, in seconds

Start and stop are what papermill (through nbclient) does per notebook: KernelManager.start_kernel,
a client with channels, wait_for_ready (kernel_info reply), then a graceful shutdown.
"""
import json
import time

t0 = time.perf_counter()
from jupyter_client.manager import start_new_kernel  # noqa: E402

t1 = time.perf_counter()
km, kc = start_new_kernel(kernel_name="python3", startup_timeout=120)
t2 = time.perf_counter()
kc.stop_channels()
km.shutdown_kernel()
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "start": t2 - t1, "stop": t3 - t2}))
