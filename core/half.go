package core

import "math"

// IEEE 754 binary16 ("F16" in safetensors): 1 sign bit, 5 exponent bits,
// 10 fraction bits. Model files may store weights at this precision to halve
// what the page downloads.

// toHalf rounds v to the nearest binary16 value (ties to even) and returns
// its bits. Values beyond the largest finite half (65504) become ±Inf.
func toHalf(v float64) uint16 {
	f := math.Float32bits(float32(v))
	sign := uint16(f>>16) & 0x8000
	exp := int(f>>23&0xff) - 127 + 15
	mant := f & 0x7fffff
	switch {
	case f&0x7fffffff == 0:
		return sign
	case f>>23&0xff == 0xff: // Inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp >= 0x1f:
		return sign | 0x7c00
	case exp <= 0: // subnormal half, or zero
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint(14 - exp)
		h := mant >> shift
		rem := mant & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && h&1 == 1) {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(exp)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // may carry into the exponent, which is the right rounding
	}
	return sign | uint16(h)
}

// fromHalf returns the value of the binary16 bits h.
func fromHalf(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h >> 10 & 0x1f)
	mant := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * mant * math.Ldexp(1, -24)
	case 0x1f:
		if mant != 0 {
			return math.NaN()
		}
		return sign * math.Inf(1)
	}
	return sign * (1 + mant/1024) * math.Ldexp(1, exp-15)
}

// RoundToHalf rounds every parameter of m to binary16 precision, so that
// the model measured is the model a half-precision file holds.
func RoundToHalf(m *Model) {
	for _, p := range m.Params() {
		for i, v := range p.Data {
			p.Data[i] = fromHalf(toHalf(v))
		}
	}
}
