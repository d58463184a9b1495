/* model: sizes of variables in a path's flat result array. */
#include "model.h"

/* Doubles one variable takes in a path's result array. */
size_t hp_var_size(const hp_layout *l, const hp_var *v)
{
    switch (v->shape) {
    case HP_SHAPE_PATH_YEAR:          return (size_t)l->n_years;
    case HP_SHAPE_ALLOC_PATH_YEAR:    return (size_t)l->n_alloc * (size_t)l->n_years;
    case HP_SHAPE_ALLOC_PATH:         return (size_t)l->n_alloc;
    case HP_SHAPE_ALLOC_PATH_HALVING: return (size_t)l->n_alloc * (size_t)l->n_halvings;
    case HP_SHAPE_PATH:               return 1;
    }
    return 0;
}

/* Doubles a whole path result takes. */
size_t hp_layout_path_size(const hp_layout *l)
{
    size_t n = 0;
    for (int i = 0; i < l->n_vars; i++)
        n += hp_var_size(l, &l->vars[i]);
    return n;
}
