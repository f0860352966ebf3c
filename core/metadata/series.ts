// Strata's metadata series: the name of the release line whose file formats
// and semantics a layer is written for (Yocto calls these LAYERSERIES). A
// layer lists the series it works with; when Strata changes its metadata in
// an incompatible way, this name changes and old layers say so up front
// instead of failing in odd places.
export const STRATA_SERIES = '2026';
