"""Importing this module warms the renderers up (render.warm_up): a batch's fork server, which can only be
given modules to import, imports it once, and every worker forked from it starts with that work done."""
from malibrief.render import warm_up

warm_up()
