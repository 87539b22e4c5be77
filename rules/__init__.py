"""The rule registry: which remediation, with which parameters, fixes which finding."""
