// Placeholder translation unit until the media code lands; replaced by assets sources.
