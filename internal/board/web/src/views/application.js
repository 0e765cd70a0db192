// The application view: written in this next commits.
