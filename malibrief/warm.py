"""Importing this module warms the renderers up (render.warm_up): a batch's fork server, which can only be
given modules to import, imports it once, and every worker forked from it starts with that work done."""
import contextlib

from malibrief.render import warm_up

# The fork server dies on any error but an ImportError from what it preloads, taking every worker with it;
# a render that cannot work is left to fail in the briefing that needs it, with its own message.
with contextlib.suppress(Exception):
    warm_up()
