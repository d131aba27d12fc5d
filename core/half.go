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

// fromHalf returns the value of the binary16 bits h. A normal half is
// rebuilt as the float32 with the same sign, exponent and fraction, without
// math.Ldexp, which made decoding a model file several times slower.
func fromHalf(h uint16) float64 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0: // zero or subnormal: mant × 2⁻²⁴, exactly
		v := float64(mant) * 0x1p-24
		if sign != 0 {
			v = -v
		}
		return v
	case 0x1f:
		if mant != 0 {
			return math.NaN()
		}
		return float64(math.Float32frombits(sign | 0x7f800000))
	}
	return float64(math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13))
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
