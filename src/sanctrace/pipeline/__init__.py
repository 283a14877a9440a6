"""`sanctrace run`: the main job, stage by stage, over a data directory."""
