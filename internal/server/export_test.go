package server

// CheckScopes exposes checkScopes to the external tests, which may import
// the bench package's queries (it imports this package).
var CheckScopes = checkScopes
