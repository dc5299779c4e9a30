"""One module per framework.

Each exposes import_framework, run_train, run_predict_batch and run_predict_one.
"""
