"""Follow-through: what later policies carry a policy out (:mod:`.lineage`), and how its numeric
targets stand against later figures (:mod:`.targets`).

A package rather than ``policykg/lineage.py`` and ``policykg/targets.py``: importing a
submodule sets an attribute on its package, which would shadow the API functions
``policykg.lineage`` and ``policykg.targets`` of the same names.
"""
