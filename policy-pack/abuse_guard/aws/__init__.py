"""AWS knowledge shared by the rules and the cost model, named once: type tokens, limits, readers of
AWS shapes (throttles, quotas, reservations), the REST API index and the front-door inventory.

Imports only the core (resources, values, findings, graph): every rule, the cost model and any later
adapter read AWS facts from here, never from one another.
"""
