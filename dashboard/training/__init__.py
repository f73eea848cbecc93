"""Training behind the pages; no Streamlit here. The pool of slots every training shares (pool.py), runs kept after
their tab closed (parking.py), what a page reads (snapshot.py), the Train page's runner (runner.py, its thread's
half in worker.py, slow motion in slow_motion.py, downloads in downloads.py), and the runners of the arena
(arena_runner.py), the Style transfer page (cycle_runner.py) and the Augmentation page (augment_runner.py)."""
