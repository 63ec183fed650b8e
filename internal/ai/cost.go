package ai

// CalculateCost fills u.Cost from the model's prices, which are USD per
// million tokens: each class is price/1e6*tokens and Total is their sum.
func CalculateCost(m *Model, u *Usage) {
	u.Cost.Input = m.Cost.Input / 1e6 * float64(u.Input)
	u.Cost.Output = m.Cost.Output / 1e6 * float64(u.Output)
	u.Cost.CacheRead = m.Cost.CacheRead / 1e6 * float64(u.CacheRead)
	u.Cost.CacheWrite = m.Cost.CacheWrite / 1e6 * float64(u.CacheWrite)
	u.Cost.Total = u.Cost.Input + u.Cost.Output + u.Cost.CacheRead + u.Cost.CacheWrite
}
