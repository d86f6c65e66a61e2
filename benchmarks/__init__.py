"""Speed and scaling benchmarks for Tumen, reported as ratios against a reference."""
