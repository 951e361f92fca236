/* Intensity helpers (clipping, percentiles, MRI normalisation) and the
 * body mask: Otsu threshold, largest connected component, closing, hole
 * filling. Every flood fill uses an explicit queue, never recursion. */
#include "atelier/image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void at_volume_clip(at_volume *v, float lo, float hi)
{
    size_t n = at_grid_voxels(&v->grid);
    for (size_t i = 0; i < n; i++) {
        float x = v->data[i];
        v->data[i] = x < lo ? lo : x > hi ? hi : x;
    }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

at_status at_volume_percentile(const at_volume *v, const at_volume *mask, double q, double *out)
{
    size_t n = at_grid_voxels(&v->grid), m = 0;
    float *vals = at_malloc((n ? n : 1) * sizeof *vals);
    if (!vals)
        return AT_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (!mask || mask->data[i] > 0.5f)
            vals[m++] = v->data[i];
    if (!m) {
        at_free(vals);
        return at_error_set(AT_ERR_ARG, "the mask is empty");
    }
    qsort(vals, m, sizeof *vals, cmp_float);
    double pos = q * (double)(m - 1);
    size_t lo = (size_t)floor(pos);
    size_t hi = lo + 1 < m ? lo + 1 : lo;
    *out = vals[lo] + (pos - (double)lo) * (vals[hi] - vals[lo]);
    at_free(vals);
    return AT_OK;
}

at_status at_volume_normalise_mri(at_volume *v, const at_volume *mask, double plo, double phi)
{
    double lo, hi;
    at_status st = at_volume_percentile(v, mask, plo, &lo);
    if (!st)
        st = at_volume_percentile(v, mask, phi, &hi);
    if (st)
        return st;
    size_t n = at_grid_voxels(&v->grid), m = 0;
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        if (mask && mask->data[i] <= 0.5f)
            continue;
        double x = v->data[i];
        x = x < lo ? lo : x > hi ? hi : x;
        s += x;
        s2 += x * x;
        m++;
    }
    double mean = s / (double)m;
    double var = s2 / (double)m - mean * mean;
    double sd = var > 1e-12 ? sqrt(var) : 1.0;
    float low = (float)((lo - mean) / sd);
    for (size_t i = 0; i < n; i++) {
        if (mask && mask->data[i] <= 0.5f) {
            v->data[i] = low;
            continue;
        }
        double x = v->data[i];
        x = x < lo ? lo : x > hi ? hi : x;
        v->data[i] = (float)((x - mean) / sd);
    }
    return AT_OK;
}

double at_volume_otsu(const at_volume *v)
{
    size_t n = at_grid_voxels(&v->grid);
    float mn = v->data[0], mx = v->data[0];
    for (size_t i = 1; i < n; i++) {
        if (v->data[i] < mn)
            mn = v->data[i];
        if (v->data[i] > mx)
            mx = v->data[i];
    }
    if (!(mx > mn))
        return mn;
    enum { BINS = 256 };
    double hist[BINS] = {0};
    double w = (double)BINS / ((double)mx - (double)mn);
    for (size_t i = 0; i < n; i++) {
        int b = (int)(((double)v->data[i] - mn) * w);
        hist[b >= BINS ? BINS - 1 : b] += 1;
    }
    double total = (double)n, sum_all = 0;
    for (int b = 0; b < BINS; b++)
        sum_all += b * hist[b];
    double w0 = 0, sum0 = 0, best = -1;
    int best_b = 0;
    for (int b = 0; b < BINS - 1; b++) {
        w0 += hist[b];
        sum0 += b * hist[b];
        double w1 = total - w0;
        if (w0 == 0 || w1 == 0)
            continue;
        double m0 = sum0 / w0, m1 = (sum_all - sum0) / w1;
        double between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if (between > best) {
            best = between;
            best_b = b;
        }
    }
    return mn + (best_b + 1) / w;
}

/* Flood from seeds (queue of voxel indices) over voxels where
 * in[i] == from, writing to into lab[i]; 6-connected; returns the count. */
static size_t flood(const int *d, unsigned char *lab, unsigned char from, unsigned char to, size_t *queue,
                    size_t head_count)
{
    size_t head = 0, tail = head_count, count = head_count;
    size_t sx = 1, sy = (size_t)d[0], sz = (size_t)d[0] * d[1];
    while (head < tail) {
        size_t p = queue[head++];
        int i = (int)(p % (size_t)d[0]);
        int j = (int)(p / sy % (size_t)d[1]);
        int k = (int)(p / sz);
        size_t nb[6];
        int nn = 0;
        if (i > 0)
            nb[nn++] = p - sx;
        if (i < d[0] - 1)
            nb[nn++] = p + sx;
        if (j > 0)
            nb[nn++] = p - sy;
        if (j < d[1] - 1)
            nb[nn++] = p + sy;
        if (k > 0)
            nb[nn++] = p - sz;
        if (k < d[2] - 1)
            nb[nn++] = p + sz;
        for (int q = 0; q < nn; q++)
            if (lab[nb[q]] == from) {
                lab[nb[q]] = to;
                queue[tail++] = nb[q];
                count++;
            }
    }
    return count;
}

/* Max (dilate) or min (erode) over a window of radius r along one axis. */
static void morph_axis(unsigned char *m, unsigned char *tmp, const int *d, int axis, int r, int dilate)
{
    size_t stride = axis == 0 ? 1 : axis == 1 ? (size_t)d[0] : (size_t)d[0] * d[1];
    int n = d[axis];
    size_t total = (size_t)d[0] * d[1] * d[2];
    memcpy(tmp, m, total);
    for (size_t base = 0; base < total; base++) {
        /* visit each line once: base must have index 0 along axis */
        size_t idx_axis = base / stride % (size_t)n;
        if (idx_axis != 0)
            continue;
        for (int i = 0; i < n; i++) {
            unsigned char v = dilate ? 0 : 1;
            for (int q = -r; q <= r; q++) {
                int ii = i + q;
                ii = ii < 0 ? 0 : ii >= n ? n - 1 : ii; /* clamp: closing keeps borders */
                unsigned char x = tmp[base + (size_t)ii * stride];
                if (dilate ? x : !x) {
                    v = dilate ? 1 : 0;
                    break;
                }
            }
            m[base + (size_t)i * stride] = v;
        }
    }
}

/* Fill the holes of the binary mask lab (0/1): background not reachable
 * from the volume's border in 3D becomes 1, then the same per axial slice
 * (a slab through the body is open at the volume's top and bottom, which
 * 3D filling cannot close). queue holds n indices. */
static void fill_holes(unsigned char *lab, const int *d, size_t *queue)
{
    size_t n = (size_t)d[0] * d[1] * d[2], qn = 0;
    for (int k = 0; k < d[2]; k++)
        for (int j = 0; j < d[1]; j++)
            for (int i = 0; i < d[0]; i++) {
                if (i && j && k && i < d[0] - 1 && j < d[1] - 1 && k < d[2] - 1)
                    continue;
                size_t p = ((size_t)k * d[1] + j) * d[0] + i;
                if (lab[p] == 0) {
                    lab[p] = 2;
                    queue[qn++] = p;
                }
            }
    flood(d, lab, 0, 2, queue, qn);
    for (size_t i = 0; i < n; i++)
        lab[i] = lab[i] != 2;
    int sd[3] = {d[0], d[1], 1};
    size_t plane = (size_t)d[0] * d[1];
    for (int k = 0; k < d[2]; k++) {
        unsigned char *s = lab + (size_t)k * plane;
        qn = 0;
        for (int j = 0; j < d[1]; j++)
            for (int i = 0; i < d[0]; i++) {
                if (i && j && i < d[0] - 1 && j < d[1] - 1)
                    continue;
                size_t p = (size_t)j * d[0] + i;
                if (s[p] == 0) {
                    s[p] = 2;
                    queue[qn++] = p;
                }
            }
        flood(sd, s, 0, 2, queue, qn);
        for (size_t i = 0; i < plane; i++)
            s[i] = s[i] != 2;
    }
}

at_status at_volume_body_mask(const at_volume *v, int closing_radius, at_volume **out)
{
    *out = NULL;
    const int *d = v->grid.dim;
    size_t n = at_grid_voxels(&v->grid);
    unsigned char *lab = at_malloc(n), *tmp = at_malloc(n);
    size_t *queue = at_malloc(n * sizeof *queue);
    if (!lab || !tmp || !queue) {
        at_free(lab);
        at_free(tmp);
        at_free(queue);
        return AT_ERR_NOMEM;
    }
    double t = at_volume_otsu(v);
    for (size_t i = 0; i < n; i++)
        lab[i] = v->data[i] > t ? 1 : 0;
    /* Holes are filled before the largest component is chosen: on a T1
     * MRI the skull is dark, so the scalp is a shell cut off from the
     * brain, and the brain alone may be the largest piece; filled, the
     * shell holds the brain and wins. */
    fill_holes(lab, d, queue);
    /* largest component: label components 2,3 alternately by flooding;
     * remember the seed of the largest, then keep only it. */
    size_t best = 0, best_seed = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (lab[i] != 1)
            continue;
        lab[i] = 2;
        queue[0] = i;
        size_t c = flood(d, lab, 1, 2, queue, 1);
        if (c > best) {
            best = c;
            best_seed = i;
        }
    }
    for (size_t i = 0; i < n; i++)
        lab[i] = 0 + (lab[i] == 2); /* all foreground back to 1 */
    if (best_seed != (size_t)-1) {
        lab[best_seed] = 3;
        queue[0] = best_seed;
        flood(d, lab, 1, 3, queue, 1);
    }
    for (size_t i = 0; i < n; i++)
        lab[i] = lab[i] == 3;
    /* closing */
    if (closing_radius > 0) {
        for (int a = 0; a < 3; a++)
            morph_axis(lab, tmp, d, a, closing_radius, 1);
        for (int a = 0; a < 3; a++)
            morph_axis(lab, tmp, d, a, closing_radius, 0);
    }
    fill_holes(lab, d, queue);
    at_volume *m;
    at_status st = at_volume_new(&v->grid, 0.0f, &m);
    if (!st)
        for (size_t i = 0; i < n; i++)
            m->data[i] = lab[i] ? 1.0f : 0.0f;
    at_free(lab);
    at_free(tmp);
    at_free(queue);
    if (st)
        return st;
    *out = m;
    return AT_OK;
}
