#version 450
// Mirrors src/compositor_cpu.cpp. mode 0: fill with the background; 1: blend one layer; 2: pack to RGBA8.
layout(local_size_x = 16, local_size_y = 16) in;

layout(std430, binding = 0) readonly buffer Sources { uint texels[]; } sources;  // RGBA8, all layers back to back
layout(std430, binding = 1) buffer Accum { vec4 pixels[]; } accum;               // premultiplied float
layout(std430, binding = 2) writeonly buffer Output { uint pixels[]; } outputImage;

layout(push_constant) uniform Params {
  vec4 background;  // straight RGBA
  vec4 rect;        // offsetX, offsetY, scaleX, scaleY
  ivec2 dstSize;
  ivec2 srcSize;
  uint srcOffset;
  uint mode;
  float opacity;
  uint blend;       // 0 over, 1 add
} params;

vec4 texel(ivec2 p) {
  p = clamp(p, ivec2(0), params.srcSize - 1);
  vec4 c = unpackUnorm4x8(sources.texels[params.srcOffset + uint(p.y * params.srcSize.x + p.x)]);
  return vec4(c.rgb * c.a, c.a);
}

void main() {
  ivec2 xy = ivec2(gl_GlobalInvocationID.xy);
  if (xy.x >= params.dstSize.x || xy.y >= params.dstSize.y) return;
  uint index = uint(xy.y * params.dstSize.x + xy.x);

  if (params.mode == 0u) {
    accum.pixels[index] = vec4(params.background.rgb * params.background.a, params.background.a);
  } else if (params.mode == 1u) {
    vec2 p = vec2(xy) + 0.5;
    vec2 size = vec2(params.srcSize) * params.rect.zw;
    if (p.x < params.rect.x || p.y < params.rect.y || p.x >= params.rect.x + size.x || p.y >= params.rect.y + size.y)
      return;
    vec2 uv = (p - params.rect.xy) / params.rect.zw - 0.5;
    vec2 f = floor(uv);
    ivec2 i0 = ivec2(f);
    vec2 t = uv - f;
    vec4 s = mix(mix(texel(i0), texel(i0 + ivec2(1, 0)), t.x), mix(texel(i0 + ivec2(0, 1)), texel(i0 + ivec2(1, 1)), t.x), t.y);
    float keep = params.blend == 0u ? 1.0 - s.a * params.opacity : 1.0;
    accum.pixels[index] = s * params.opacity + accum.pixels[index] * keep;
  } else {
    vec4 c = accum.pixels[index];
    float a = clamp(c.a, 0.0, 1.0);
    float inv = a > 0.0 ? 1.0 / a : 0.0;
    outputImage.pixels[index] = packUnorm4x8(vec4(c.rgb * inv, a));
  }
}
