/* Grids (geometry in LPS patient coordinates) and volumes of f32 voxels. */
#include "atelier/image.h"

#include <math.h>
#include <string.h>

void at_grid_init(at_grid *g, int nx, int ny, int nz, double sx, double sy, double sz)
{
    memset(g, 0, sizeof *g);
    g->dim[0] = nx;
    g->dim[1] = ny;
    g->dim[2] = nz;
    g->spacing[0] = sx;
    g->spacing[1] = sy;
    g->spacing[2] = sz;
    g->direction[0] = g->direction[4] = g->direction[8] = 1.0;
}

size_t at_grid_voxels(const at_grid *g)
{
    return (size_t)g->dim[0] * (size_t)g->dim[1] * (size_t)g->dim[2];
}

/* Dims in range, spacing positive and finite, direction orthonormal. */
at_status at_grid_validate(const at_grid *g)
{
    for (int a = 0; a < 3; a++) {
        if (g->dim[a] < 1 || g->dim[a] > AT_IMAGE_MAX_DIM)
            return at_error_set(AT_ERR_LIMIT, "axis %d has %d voxels (allowed 1..%d)", a, g->dim[a],
                                AT_IMAGE_MAX_DIM);
        if (!(g->spacing[a] > 0) || !isfinite(g->spacing[a]))
            return at_error_set(AT_ERR_FORMAT, "axis %d has spacing %g (must be > 0)", a, g->spacing[a]);
        if (!isfinite(g->origin[a]))
            return at_error_set(AT_ERR_FORMAT, "origin is not finite");
    }
    if (at_grid_voxels(g) > AT_IMAGE_MAX_VOXELS)
        return at_error_set(AT_ERR_LIMIT, "%zu voxels exceed the limit of %zu", at_grid_voxels(g),
                            AT_IMAGE_MAX_VOXELS);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double d = 0;
            for (int r = 0; r < 3; r++)
                d += g->direction[r * 3 + a] * g->direction[r * 3 + b];
            if (!isfinite(d) || fabs(d - (a == b ? 1.0 : 0.0)) > 1e-3)
                return at_error_set(AT_ERR_FORMAT, "direction cosines are not orthonormal");
        }
    return AT_OK;
}

void at_grid_index_to_point(const at_grid *g, const double ijk[3], double p[3])
{
    for (int r = 0; r < 3; r++) {
        double s = g->origin[r];
        for (int c = 0; c < 3; c++)
            s += g->direction[r * 3 + c] * g->spacing[c] * ijk[c];
        p[r] = s;
    }
}

/* Inverse of index_to_point for an orthonormal direction: D^T (p - o) / s. */
void at_grid_point_to_index(const at_grid *g, const double p[3], double ijk[3])
{
    double d[3] = {p[0] - g->origin[0], p[1] - g->origin[1], p[2] - g->origin[2]};
    for (int c = 0; c < 3; c++) {
        double s = 0;
        for (int r = 0; r < 3; r++)
            s += g->direction[r * 3 + c] * d[r];
        ijk[c] = s / g->spacing[c];
    }
}

void at_grid_affine(const at_grid *g, int ras, double m[16])
{
    memset(m, 0, 16 * sizeof *m);
    for (int r = 0; r < 3; r++) {
        double sign = (ras && r < 2) ? -1.0 : 1.0;
        for (int c = 0; c < 3; c++)
            m[r * 4 + c] = sign * g->direction[r * 3 + c] * g->spacing[c];
        m[r * 4 + 3] = sign * g->origin[r];
    }
    m[15] = 1.0;
}

at_status at_grid_from_affine(at_grid *g, const int dim[3], const double m[16])
{
    memset(g, 0, sizeof *g);
    for (int c = 0; c < 3; c++) {
        g->dim[c] = dim[c];
        double n = 0;
        for (int r = 0; r < 3; r++)
            n += m[r * 4 + c] * m[r * 4 + c];
        n = sqrt(n);
        if (!(n > 0) || !isfinite(n))
            return at_error_set(AT_ERR_FORMAT, "affine column %d has zero length", c);
        g->spacing[c] = n;
        for (int r = 0; r < 3; r++)
            g->direction[r * 3 + c] = m[r * 4 + c] / n;
    }
    for (int r = 0; r < 3; r++)
        g->origin[r] = m[r * 4 + 3];
    return at_grid_validate(g);
}

int at_grid_same(const at_grid *a, const at_grid *b, double tol)
{
    for (int i = 0; i < 3; i++) {
        if (a->dim[i] != b->dim[i])
            return 0;
        if (fabs(a->spacing[i] - b->spacing[i]) > tol || fabs(a->origin[i] - b->origin[i]) > tol)
            return 0;
    }
    for (int i = 0; i < 9; i++)
        if (fabs(a->direction[i] - b->direction[i]) > 1e-4)
            return 0;
    return 1;
}

at_status at_volume_new(const at_grid *g, float value, at_volume **out)
{
    *out = NULL;
    at_status st = at_grid_validate(g);
    if (st)
        return st;
    at_volume *v = at_calloc(1, sizeof *v);
    if (!v)
        return AT_ERR_NOMEM;
    v->grid = *g;
    size_t n = at_grid_voxels(g);
    v->data = at_malloc(n * sizeof *v->data);
    if (!v->data) {
        at_free(v);
        return AT_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        v->data[i] = value;
    *out = v;
    return AT_OK;
}

at_status at_volume_clone(const at_volume *src, at_volume **out)
{
    at_status st = at_volume_new(&src->grid, 0.0f, out);
    if (st)
        return st;
    memcpy((*out)->data, src->data, at_grid_voxels(&src->grid) * sizeof *src->data);
    return AT_OK;
}

void at_volume_free(at_volume *v)
{
    if (!v)
        return;
    at_free(v->data);
    at_free(v);
}

void at_rigid_identity(at_rigid *t)
{
    memset(t, 0, sizeof *t);
}

/* R = Rz * Rx * Ry (ITK Euler3DTransform with ComputeZYX off). */
void at_rigid_matrix(const at_rigid *t, double r[9])
{
    double cx = cos(t->angle[0]), sx = sin(t->angle[0]);
    double cy = cos(t->angle[1]), sy = sin(t->angle[1]);
    double cz = cos(t->angle[2]), sz = sin(t->angle[2]);
    double rx[9] = {1, 0, 0, 0, cx, -sx, 0, sx, cx};
    double ry[9] = {cy, 0, sy, 0, 1, 0, -sy, 0, cy};
    double rz[9] = {cz, -sz, 0, sz, cz, 0, 0, 0, 1};
    double zx[9];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = 0; k < 3; k++)
                s += rz[i * 3 + k] * rx[k * 3 + j];
            zx[i * 3 + j] = s;
        }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = 0; k < 3; k++)
                s += zx[i * 3 + k] * ry[k * 3 + j];
            r[i * 3 + j] = s;
        }
}

void at_rigid_apply(const at_rigid *t, const double p[3], double q[3])
{
    double r[9];
    at_rigid_matrix(t, r);
    double d[3] = {p[0] - t->centre[0], p[1] - t->centre[1], p[2] - t->centre[2]};
    for (int i = 0; i < 3; i++)
        q[i] = r[i * 3] * d[0] + r[i * 3 + 1] * d[1] + r[i * 3 + 2] * d[2] + t->centre[i] + t->translation[i];
}
