"""A stand-in for the municipal public credit platform (市公共信用信息平台), with fault injection.

Standard library only: the product's delivery client is tested against it as a separate process.
See README.md in this package for the protocol and the fault knobs.
"""
