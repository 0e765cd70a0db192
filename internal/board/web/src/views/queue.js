// The queue view: written in this next commits.
