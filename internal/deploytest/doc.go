// Package deploytest checks the deployment files pi-forge ships (docker/
// and kubernetes/): every manifest decodes strictly into the Kubernetes API
// types (an unknown or misspelt field fails, as kubectl's validation would),
// and each promise the docs make about them holds.
package deploytest
