"""`gridgov bench`: performance scenarios, each figure printed beside a ceiling measured in the same run."""
