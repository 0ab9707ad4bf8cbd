# SPDX-License-Identifier: GPL-2.0
"""
One netlink socket per family for a test run.

Every new YnlFamily loads and parses its YAML spec, which takes seconds
under an emulator: tests that make many requests share one socket per
family. A request whose result lives as long as its socket (a devmem
binding) needs a family object of its own.
"""

import functools

from net.lib.py import EthtoolFamily, NetdevFamily


@functools.cache
def ethnl():
    """The run's ethtool netlink socket."""
    return EthtoolFamily()


@functools.cache
def netdevnl():
    """The run's netdev netlink socket, for requests that bind nothing."""
    return NetdevFamily()
