// Placeholder translation unit until the document model lands; replaced by timeline sources.
