"""Training behind the pages: the pool of slots (pool.py), runs kept after their tab closed (parking.py), what a
page reads (snapshot.py), the runner a session drives (runner.py, its thread's half in worker.py, slow motion in
slow_motion.py, downloads in downloads.py) and the arena's runner (arena_runner.py). No Streamlit here."""
