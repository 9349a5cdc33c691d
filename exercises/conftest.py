"""pytest: the solution notebooks are run by nbval; the learner's notebooks never are
(their stubs raise NotImplementedError by design)."""

collect_ignore_glob = ["student/*"]
