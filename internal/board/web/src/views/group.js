// The group view: written in this next commits.
