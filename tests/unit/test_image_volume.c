/* Unit tests for src/image: grids, NIfTI, resampling, masks, DICOM series. */
#include "support.h"

#include "atelier/image.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An oblique, anisotropic grid with a smooth pattern. */
static at_volume *make_oblique(int nx, int ny, int nz)
{
    at_grid g;
    at_grid_init(&g, nx, ny, nz, 0.8, 1.25, 2.5);
    at_rigid r;
    at_rigid_identity(&r);
    r.angle[0] = 0.3;
    r.angle[1] = -0.2;
    r.angle[2] = 0.1;
    at_rigid_matrix(&r, g.direction);
    g.origin[0] = -12.5;
    g.origin[1] = 40.25;
    g.origin[2] = -7;
    at_volume *v;
    assert_int_equal(at_volume_new(&g, 0, &v), AT_OK);
    for (int k = 0; k < nz; k++)
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                v->data[at_volume_index(v, i, j, k)] =
                    (float)(100 * sin(i * 0.3) + 50 * cos(j * 0.2) + 10 * k - 1000 + (i * 7 + j) % 5);
    return v;
}

static void assert_same_volume(const at_volume *a, const at_volume *b, double tol)
{
    assert_true(at_grid_same(&a->grid, &b->grid, 1e-4));
    size_t n = at_grid_voxels(&a->grid);
    for (size_t i = 0; i < n; i++)
        if (fabs(a->data[i] - b->data[i]) > tol)
            fail_msg("voxel %zu: %g vs %g", i, a->data[i], b->data[i]);
}

static void test_nifti_roundtrip(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    at_volume *v = make_oblique(9, 7, 5), *r = NULL;
    const char *names[2] = {"a.nii", "b.nii.gz"};
    for (int t = 0; t < 2; t++) {
        char *p = at_path_join(dir, names[t]);
        assert_int_equal(at_nifti_write(v, p), AT_OK);
        assert_int_equal(at_nifti_read(p, &r), AT_OK);
        assert_same_volume(v, r, 0);
        at_volume_free(r);
        /* writing is deterministic */
        size_t l1, l2;
        unsigned char *b1 = test_read_file(p, &l1);
        assert_int_equal(at_nifti_write(v, p), AT_OK);
        unsigned char *b2 = test_read_file(p, &l2);
        assert_int_equal(l1, l2);
        assert_memory_equal(b1, b2, l1);
        /* the RAS sform: first axis sign flipped against LPS */
        double m[16];
        at_grid_affine(&v->grid, 1, m);
        if (!t) {
            float srow_x[4];
            memcpy(srow_x, b1 + 280, sizeof srow_x);
            for (int c = 0; c < 4; c++)
                assert_true(fabs(srow_x[c] - m[c]) < 1e-4);
        }
        free(b1);
        free(b2);
        at_free(p);
    }
    at_volume_free(v);
    test_rmtree(dir);
    free(dir);
}

static void test_nifti_bad_input(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    at_volume *v = make_oblique(6, 5, 4), *r = NULL;
    char *p = at_path_join(dir, "a.nii");
    assert_int_equal(at_nifti_write(v, p), AT_OK);
    size_t len;
    unsigned char *b = test_read_file(p, &len);
    /* truncated data */
    assert_int_equal(at_nifti_read_memory(b, len - 10, "t.nii", &r), AT_ERR_FORMAT);
    assert_null(r);
    assert_non_null(strstr(at_error_message(), "truncated"));
    /* header too short */
    assert_int_equal(at_nifti_read_memory(b, 100, "t.nii", &r), AT_ERR_FORMAT);
    /* a huge dimension is refused before allocating */
    unsigned char *c = malloc(len);
    memcpy(c, b, len);
    int16_t big = 30000;
    memcpy(c + 42, &big, 2);
    memcpy(c + 44, &big, 2);
    assert_int_not_equal(at_nifti_read_memory(c, len, "t.nii", &r), AT_OK);
    assert_null(r);
    /* bad magic */
    memcpy(c, b, len);
    memcpy(c + 344, "xx1", 4);
    assert_int_equal(at_nifti_read_memory(c, len, "t.nii", &r), AT_ERR_UNSUPPORTED);
    /* every truncation fails cleanly */
    for (size_t cut = 0; cut < len; cut += 37)
        assert_int_not_equal(at_nifti_read_memory(b, cut, "t.nii", &r), AT_OK);
    free(c);
    free(b);
    at_free(p);
    at_volume_free(v);
    test_rmtree(dir);
    free(dir);
}

static void test_resample_identity_and_shift(void **state)
{
    (void)state;
    at_volume *v = make_oblique(12, 10, 8), *r = NULL;
    at_interp kinds[3] = {AT_INTERP_NEAREST, AT_INTERP_LINEAR, AT_INTERP_BSPLINE3};
    for (int t = 0; t < 3; t++) {
        assert_int_equal(at_volume_resample(v, &v->grid, NULL, kinds[t], -5, &r), AT_OK);
        assert_same_volume(v, r, 2e-3); /* B-spline interpolates its samples */
        at_volume_free(r);
    }
    /* a translation of one voxel along i moves values by one voxel */
    at_rigid t;
    at_rigid_identity(&t);
    for (int a = 0; a < 3; a++)
        t.translation[a] = v->grid.direction[a * 3] * v->grid.spacing[0];
    assert_int_equal(at_volume_resample(v, &v->grid, &t, AT_INTERP_LINEAR, -5, &r), AT_OK);
    assert_true(fabs(r->data[at_volume_index(r, 3, 4, 5)] - v->data[at_volume_index(v, 4, 4, 5)]) < 1e-3);
    assert_true(r->data[at_volume_index(r, 11, 4, 5)] == -5.0f); /* outside: fill */
    at_volume_free(r);
    /* cubic B-spline reproduces a quadratic better than linear halfway */
    at_grid g;
    at_grid_init(&g, 16, 4, 4, 1, 1, 1);
    at_volume *q;
    assert_int_equal(at_volume_new(&g, 0, &q), AT_OK);
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 4; j++)
            for (int i = 0; i < 16; i++)
                q->data[at_volume_index(q, i, j, k)] = (float)(i * i);
    at_grid h = g;
    h.origin[0] = 0.5;
    h.dim[0] = 14;
    at_volume *lin, *bs;
    assert_int_equal(at_volume_resample(q, &h, NULL, AT_INTERP_LINEAR, 0, &lin), AT_OK);
    assert_int_equal(at_volume_resample(q, &h, NULL, AT_INTERP_BSPLINE3, 0, &bs), AT_OK);
    double x = 7.5, want = x * x;
    double el = fabs(lin->data[at_volume_index(lin, 7, 1, 1)] - want);
    double eb = fabs(bs->data[at_volume_index(bs, 7, 1, 1)] - want);
    assert_true(el > 0.2);
    assert_true(eb < 0.05);
    at_volume_free(lin);
    at_volume_free(bs);
    at_volume_free(q);
    at_volume_free(v);
}

static void test_body_mask(void **state)
{
    (void)state;
    at_grid g;
    at_grid_init(&g, 32, 32, 20, 1, 1, 1);
    at_volume *v;
    assert_int_equal(at_volume_new(&g, 0, &v), AT_OK);
    for (int k = 0; k < 20; k++)
        for (int j = 0; j < 32; j++)
            for (int i = 0; i < 32; i++) {
                double r = hypot(i - 15.5, j - 15.5);
                float x = r < 11 ? 100.0f : 0.0f;
                if (r < 4) /* a dark hole inside the body (like an air cavity) */
                    x = 0;
                if (i == 1 && j == 1) /* a speck of noise outside */
                    x = 100;
                if (r > 8 && r < 8.9 && i > 15) /* a thin dark crack in the body */
                    x = 0;
                v->data[at_volume_index(v, i, j, k)] = x;
            }
    at_volume *m;
    assert_int_equal(at_volume_body_mask(v, 1, &m), AT_OK);
    assert_true(m->data[at_volume_index(m, 15, 15, 10)] == 1.0f); /* hole filled */
    assert_true(m->data[at_volume_index(m, 24, 15, 10)] == 1.0f); /* crack closed */
    assert_true(m->data[at_volume_index(m, 1, 1, 10)] == 0.0f);   /* speck dropped */
    assert_true(m->data[at_volume_index(m, 30, 30, 10)] == 0.0f); /* air */
    size_t n = 0;
    for (size_t i = 0; i < at_grid_voxels(&g); i++)
        n += m->data[i] > 0.5f;
    double expect = M_PI * 11 * 11 * 20;
    assert_true(fabs((double)n - expect) < 0.1 * expect);
    at_volume_free(m);
    at_volume_free(v);
}

/* A T1 head: a bright scalp shell, a dark skull, a bright brain that has
 * more voxels than the shell. The mask must be the whole head, not the
 * brain alone (the brain used to win as the largest component). */
static void test_body_mask_shell_and_core(void **state)
{
    (void)state;
    at_grid g;
    at_grid_init(&g, 40, 40, 40, 1, 1, 1);
    at_volume *v;
    assert_int_equal(at_volume_new(&g, 0, &v), AT_OK);
    size_t shell = 0, core = 0;
    for (int k = 0; k < 40; k++)
        for (int j = 0; j < 40; j++)
            for (int i = 0; i < 40; i++) {
                double r = sqrt((i - 19.5) * (i - 19.5) + (j - 19.5) * (j - 19.5) + (k - 19.5) * (k - 19.5));
                float x = 0;
                if (r < 14.5) /* brain */
                    x = 100, core++;
                else if (r >= 16.5 && r < 18.5) /* scalp; 14.5..16.5 is dark bone */
                    x = 120, shell++;
                v->data[at_volume_index(v, i, j, k)] = x;
            }
    assert_true(core > shell); /* the trap: the brain is the largest piece */
    at_volume *m;
    assert_int_equal(at_volume_body_mask(v, 1, &m), AT_OK);
    assert_true(m->data[at_volume_index(m, 19, 19, 19)] == 1.0f);      /* brain */
    assert_true(m->data[at_volume_index(m, 19, 19, 19 + 15)] == 1.0f); /* bone */
    assert_true(m->data[at_volume_index(m, 19, 19, 19 + 17)] == 1.0f); /* scalp */
    assert_true(m->data[at_volume_index(m, 1, 1, 1)] == 0.0f);         /* air */
    at_volume_free(m);
    at_volume_free(v);
}

static void test_percentile_normalise_clip(void **state)
{
    (void)state;
    at_grid g;
    at_grid_init(&g, 101, 1, 1, 1, 1, 1);
    at_volume *v;
    assert_int_equal(at_volume_new(&g, 0, &v), AT_OK);
    for (int i = 0; i < 101; i++)
        v->data[i] = (float)(100 - i);
    double p;
    assert_int_equal(at_volume_percentile(v, NULL, 0.25, &p), AT_OK);
    assert_true(fabs(p - 25) < 1e-9);
    at_volume *m;
    assert_int_equal(at_volume_new(&g, 0, &m), AT_OK);
    assert_int_equal(at_volume_percentile(v, m, 0.5, &p), AT_ERR_ARG); /* empty mask */
    for (int i = 0; i < 50; i++)
        m->data[i] = 1;
    assert_int_equal(at_volume_normalise_mri(v, m, 0.0, 1.0), AT_OK);
    double s = 0, s2 = 0;
    for (int i = 0; i < 50; i++) {
        s += v->data[i];
        s2 += v->data[i] * v->data[i];
    }
    assert_true(fabs(s / 50) < 1e-5);
    assert_true(fabs(s2 / 50 - 1) < 1e-4);
    at_volume_clip(v, -0.5f, 0.5f);
    for (int i = 0; i < 101; i++)
        assert_true(v->data[i] >= -0.5f && v->data[i] <= 0.5f);
    at_volume_free(m);
    at_volume_free(v);
}

static void test_series_roundtrip(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    at_volume *v = make_oblique(10, 9, 6), *r = NULL;
    for (size_t i = 0; i < at_grid_voxels(&v->grid); i++)
        v->data[i] = roundf(v->data[i]);
    char *sd = at_path_join(dir, "ct");
    at_series_write_options o;
    memset(&o, 0, sizeof o);
    o.modality = "CT";
    o.uid_seed = "unit";
    o.series_description = "unit";
    assert_int_equal(at_series_write(v, &o, sd), AT_OK);
    assert_int_equal(at_series_write(v, &o, sd), AT_ERR_ARG); /* never overwrites */
    at_series_info info;
    assert_int_equal(at_series_read(sd, NULL, &r, &info), AT_OK);
    assert_string_equal(info.modality, "CT");
    assert_int_equal(info.slices, 6);
    assert_same_volume(v, r, 0);
    at_volume_free(r);
    /* remove a middle slice: a clear error */
    char *victim = at_path_join(sd, "CT0003.dcm");
    assert_int_equal(remove(victim), 0);
    assert_int_equal(at_series_read(sd, NULL, &r, NULL), AT_ERR_FORMAT);
    assert_null(r);
    assert_non_null(strstr(at_error_message(), "missing slice"));
    /* UIDs are deterministic and valid */
    char u1[65], u2[65];
    at_uid_from_text("d", "x", u1);
    at_uid_from_text("d", "x", u2);
    assert_string_equal(u1, u2);
    assert_true(strncmp(u1, "2.25.", 5) == 0 && strlen(u1) <= 64 && u1[5] != '0');
    at_free(victim);
    at_free(sd);
    at_volume_free(v);
    test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nifti_roundtrip),
        cmocka_unit_test(test_nifti_bad_input),
        cmocka_unit_test(test_resample_identity_and_shift),
        cmocka_unit_test(test_body_mask),
        cmocka_unit_test(test_body_mask_shell_and_core),
        cmocka_unit_test(test_percentile_normalise_clip),
        cmocka_unit_test(test_series_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
