"""The results file as a NetCDF-4 file: every variable group opens in
xarray (Debian's python3-xarray with python3-h5netcdf) with named
dimensions and coordinates, and label-based selection gives the numbers
h5py reads from the same datasets.
    test_xarray.py HASHPIVOT_BINARY SOURCE_DIR"""
import os
import subprocess
import sys
import tempfile
import warnings

import h5py
import numpy as np
import xarray as xr

from pycheck import check, done  # tests/ is the script's directory, so on sys.path

bin_, root = sys.argv[1], sys.argv[2]


def open_group(path, group):
    # Any warning (e.g. a dimension scale h5netcdf does not understand) fails.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return xr.open_dataset(path, engine="h5netcdf", group=group)


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "x.h5")
    subprocess.run([bin_, "run", os.path.join(root, "configs", "default.cfg"), "-n", "200", "-s", "5",
                    "--quiet", "-o", path], check=True, stdout=subprocess.DEVNULL)
    with h5py.File(path, "r") as f:
        alloc = f["axes/allocation"][()]
        years = f["axes/year"][()]
        npv = f["valuation/npv"][()]
        price = f["market/btc_price_end"][()]
        hpc = f["cashflow/hpc_revenue"][()]
        total = f["totals/mining_revenue"][()]

    # The example, against numpy on the h5py data (same quantile rule).
    with open_group(path, "valuation") as ds:
        check(ds.npv.dims == ("allocation", "path"), f"npv dims {ds.npv.dims}")
        check(np.array_equal(ds.allocation.values, alloc), "allocation coordinate values")
        check(np.array_equal(ds.path.values, np.arange(200)), "path coordinate is 0..n-1")
        check(ds.npv.attrs.get("units") == "USD", "npv keeps its units attribute")
        a = int(np.flatnonzero(np.isclose(alloc, 0.2))[0])
        got = float(ds.npv.sel(allocation=0.2).quantile(0.05))
        check(got == float(np.quantile(npv[a], 0.05)), f"npv.sel(allocation=0.2).quantile(0.05) = {got}")
        diff = ds.npv - ds.npv.sel(allocation=0.0)
        check(np.allclose(diff.mean("path").values, (npv - npv[0]).mean(axis=1), rtol=1e-12),
              "paired difference by label")

    with open_group(path, "market") as ds:
        check(ds.btc_price_end.dims == ("path", "year"), f"btc_price_end dims {ds.btc_price_end.dims}")
        check(np.array_equal(ds.year.values, years), "year coordinate values")
        check("days_in_year" in ds.coords, "days_in_year is a coordinate of the year dimension")
        y = int(years[3])
        check(np.array_equal(ds.btc_price_end.sel(year=y).values, price[:, 3]), "select by calendar year")

    with open_group(path, "cashflow") as ds:
        check(ds.hpc_revenue.dims == ("allocation", "path", "year"), "cashflow dims")
        got = ds.hpc_revenue.sel(allocation=0.5, year=int(years[-1])).median().item()
        a = int(np.flatnonzero(np.isclose(alloc, 0.5))[0])
        check(got == float(np.median(hpc[a, :, -1])), "select by allocation and year")

    with open_group(path, "network") as ds:
        check(set(ds.dims) == {"allocation", "path", "year", "halving"}, f"network dims {dict(ds.sizes)}")
        check(ds.halving_day.dims == ("allocation", "path", "halving"), "halving_day dims")

    with open_group(path, "totals") as ds:
        check(np.array_equal(ds.mining_revenue.values, total), "totals read back")

    with open_group(path, None) as ds:
        check(ds.attrs.get("filetype") == "hashpivot-results", "root attributes as dataset attrs")
        check(set(ds.coords) >= {"allocation", "year", "path", "halving"}, "root holds the axes")

done()
