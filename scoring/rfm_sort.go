package scoring

import "math"

// sortItem pairs an order-preserving unsigned key with the position of the
// value it came from. RFM scoring and the key-account functions rank
// millions of values; a least-significant-digit radix sort on such keys is
// several times faster than a comparison sort and is stable.
type sortItem struct {
	key uint64
	idx uint32
}

// floatKey maps a finite, non-negative float64 to a key with the same
// order (the IEEE 754 bits of non-negative numbers sort as integers); −0
// maps to the key of +0.
func floatKey(x float64) uint64 {
	if x == 0 {
		return 0
	}
	return math.Float64bits(x)
}

// radixSort sorts items by key, stably, using buf (len(buf) ≥ len(items))
// as scratch space. It returns the sorted slice, which is either items or
// buf[:len(items)].
func radixSort(items, buf []sortItem) []sortItem {
	n := len(items)
	if n < 2 {
		return items
	}
	var counts [8][256]uint32
	for i := range items {
		k := items[i].key
		for d := range 8 {
			counts[d][byte(k>>(8*d))]++
		}
	}
	src, dst := items, buf[:n]
	for d := range 8 {
		c := &counts[d]
		if c[byte(src[0].key>>(8*d))] == uint32(n) {
			continue // every key has the same digit: nothing to move
		}
		var offsets [256]uint32
		sum := uint32(0)
		for b := range c {
			offsets[b] = sum
			sum += c[b]
		}
		shift := uint(8 * d)
		for _, it := range src {
			b := byte(it.key >> shift)
			dst[offsets[b]] = it
			offsets[b]++
		}
		src, dst = dst, src
	}
	return src
}
