"""Sweeps: sample a model's inputs, evaluate the points in chunks (in-process or on Dask),
store them in DuckDB, and analyse them (Sobol' indices, zone of possible agreement).

Each step is its own module, imported where it is used (a Dask worker imports only
:mod:`~detente.sweep.evaluators` and the model it evaluates):

* :mod:`~detente.sweep.spec` -- sweep files: ``load_spec``, ``parse_spec``, ``SweepSpec``
* :mod:`~detente.sweep.samplers` -- ``sample(spec)``: grid, Latin hypercube, Sobol'/Saltelli
* :mod:`~detente.sweep.registry` -- ``register``, ``evaluator``: models by name
* :mod:`~detente.sweep.evaluators` -- ``Ishigami``, ``Chunk``, ``evaluate_chunk``
* :mod:`~detente.sweep.stability_model` -- ``Stability``: the stability calculus with caps
* :mod:`~detente.sweep.backends` -- ``InProcess``, ``DaskBackend``
* :mod:`~detente.sweep.store` -- ``SweepStore``: one DuckDB file per sweep, Parquet export
* :mod:`~detente.sweep.evaluate` -- ``evaluate_spec``: a spec's points chunk by chunk
* :mod:`~detente.sweep.runner` -- ``run_sweep``: sample once, evaluate what is missing
* :mod:`~detente.sweep.sensitivity` -- ``sobol_indices``
* :mod:`~detente.sweep.agreement` -- ``acceptance``, ``agreement_zone``, ``pareto_frontier``
* :mod:`~detente.sweep.report` -- ``write_report``: the HTML report
"""
