// SPDX-License-Identifier: Apache-2.0
//
// face_cv.cpp — the OpenCV wrapper behind face_cv.h. The only C++ in
// firmware/. Every entry point is noexcept in effect: a try block around the
// whole body, every exception mapped to an eg_err.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

extern "C" {
#include "egate/error.h"
#include "egate/secure.h"
}
#include "face_cv.h"

struct fcv_net {
	cv::dnn::Net net;
};

namespace {

// A cv::Mat header over a caller's image (no copy).
bool
as_mat(const struct fcv_image *img, cv::Mat &m)
{
	if (img == nullptr || img->data == nullptr || img->width <= 0 || img->height <= 0 ||
	    img->stride < (size_t)img->width * 3)
		return false;
	m = cv::Mat(img->height, img->width, CV_8UC3, img->data, img->stride);
	return true;
}

// Copy a continuous BGR Mat into a new fcv_image (malloc'd, owned by out).
int
from_mat(const cv::Mat &m, struct fcv_image *out)
{
	if (m.empty() || m.type() != CV_8UC3)
		return EG_ERR_IMAGE;
	size_t stride = (size_t)m.cols * 3;
	uint8_t *p = (uint8_t *)std::malloc(stride * (size_t)m.rows);
	if (p == nullptr)
		return EG_ERR_NOMEM;
	for (int y = 0; y < m.rows; y++)
		std::memcpy(p + stride * (size_t)y, m.ptr(y), stride);
	out->width = m.cols;
	out->height = m.rows;
	out->stride = stride;
	out->data = p;
	return EG_OK;
}

// Wipe a Mat's pixels (face data) before it is released.
void
wipe(cv::Mat &m)
{
	if (!m.empty() && m.isContinuous())
		eg_memzero(m.data, m.total() * m.elemSize());
	else if (!m.empty())
		m.setTo(cv::Scalar::all(0));
}

// The region r of src, black outside the image, at out size (or its own).
cv::Mat
crop(const cv::Mat &src, const struct fcv_rect *r, int out_w, int out_h)
{
	if (r == nullptr) {
		if (out_w <= 0 || out_h <= 0 || (out_w == src.cols && out_h == src.rows))
			return src.clone();
		cv::Mat dst;
		cv::resize(src, dst, cv::Size(out_w, out_h), 0, 0, cv::INTER_LINEAR);
		return dst;
	}
	if (!std::isfinite(r->x) || !std::isfinite(r->y) || !std::isfinite(r->w) ||
	    !std::isfinite(r->h) || r->w < 1 || r->h < 1 || r->w > 65536 || r->h > 65536 ||
	    std::fabs(r->x) > 65536 || std::fabs(r->y) > 65536)
		throw std::invalid_argument("bad region");
	int x = (int)std::lround(r->x), y = (int)std::lround(r->y);
	int w = std::max(1, (int)std::lround(r->w)), h = std::max(1, (int)std::lround(r->h));
	cv::Rect want(x, y, w, h);
	cv::Rect in = want & cv::Rect(0, 0, src.cols, src.rows);
	cv::Mat region;
	if (in == want) {
		region = src(want);
	} else {
		region = cv::Mat::zeros(h, w, src.type());
		if (in.area() > 0)
			src(in).copyTo(region(cv::Rect(in.x - x, in.y - y, in.width, in.height)));
	}
	if (out_w <= 0 || out_h <= 0)
		return region.clone();
	cv::Mat dst;
	int interp = (out_w < w && out_h < h) ? cv::INTER_AREA : cv::INTER_LINEAR;
	cv::resize(region, dst, cv::Size(out_w, out_h), 0, 0, interp);
	if (region.data != src.data && !(in == want))
		wipe(region);
	return dst;
}

int
map_exception(int fallback)
{
	try {
		throw;
	} catch (const std::bad_alloc &) {
		return EG_ERR_NOMEM;
	} catch (const std::invalid_argument &) {
		return EG_ERR_INVAL;
	} catch (const cv::Exception &e) {
		return e.code == cv::Error::StsNoMem ? EG_ERR_NOMEM : fallback;
	} catch (...) {
		return fallback;
	}
}

} // namespace

extern "C" int
fcv_image_decode(const uint8_t *bytes, size_t len, int max_dim, struct fcv_image *out)
{
	if (out == nullptr)
		return EG_ERR_INVAL;
	*out = fcv_image{};
	if (bytes == nullptr || len == 0 || len > (size_t)INT32_MAX || max_dim <= 0)
		return bytes == nullptr || len == 0 ? EG_ERR_IMAGE : EG_ERR_INVAL;
	try {
		cv::Mat raw(1, (int)len, CV_8UC1, const_cast<uint8_t *>(bytes));
		cv::Mat m = cv::imdecode(raw, cv::IMREAD_COLOR);
		if (m.empty())
			return EG_ERR_IMAGE;
		int ret = EG_OK;
		if (m.cols > max_dim || m.rows > max_dim)
			ret = EG_ERR_OVERFLOW;
		else
			ret = from_mat(m, out);
		wipe(m);
		return ret;
	} catch (...) {
		return map_exception(EG_ERR_IMAGE);
	}
}

extern "C" int
fcv_image_encode(const struct fcv_image *img, const char *ext, int quality,
    uint8_t **out, size_t *out_len)
{
	if (out == nullptr || out_len == nullptr || ext == nullptr)
		return EG_ERR_INVAL;
	*out = nullptr;
	*out_len = 0;
	try {
		cv::Mat m;
		if (!as_mat(img, m))
			return EG_ERR_INVAL;
		std::vector<int> params;
		std::string e(ext);
		if (e == ".jpg")
			params = { cv::IMWRITE_JPEG_QUALITY, quality };
		else if (e == ".jp2" || e == ".j2k")
			params = { cv::IMWRITE_JPEG2000_COMPRESSION_X1000, quality };
		else if (e != ".png")
			return EG_ERR_INVAL;
		std::vector<uchar> buf;
		if (!cv::imencode(e, m, buf, params) || buf.empty())
			return EG_ERR_IMAGE;
		uint8_t *p = (uint8_t *)std::malloc(buf.size());
		if (p == nullptr) {
			eg_memzero(buf.data(), buf.size());
			return EG_ERR_NOMEM;
		}
		std::memcpy(p, buf.data(), buf.size());
		eg_memzero(buf.data(), buf.size());
		*out = p;
		*out_len = buf.size();
		return EG_OK;
	} catch (...) {
		return map_exception(EG_ERR_IMAGE);
	}
}

extern "C" void
fcv_set_threads(int n)
{
	try {
		cv::setNumThreads(n <= 0 ? -1 : n);
	} catch (...) {
		// nothing to report: OpenCV keeps its own setting
	}
}

extern "C" int
fcv_image_alloc(int width, int height, struct fcv_image *out)
{
	if (out == nullptr || width <= 0 || height <= 0 || width > 65536 || height > 65536)
		return EG_ERR_INVAL;
	size_t stride = (size_t)width * 3;
	uint8_t *p = (uint8_t *)std::calloc((size_t)height, stride);
	if (p == nullptr)
		return EG_ERR_NOMEM;
	out->width = width;
	out->height = height;
	out->stride = stride;
	out->data = p;
	return EG_OK;
}

extern "C" void
fcv_image_free(struct fcv_image *img)
{
	if (img == nullptr)
		return;
	if (img->data != nullptr)
		eg_secret_free(&img->data, img->stride * (size_t)img->height);
	*img = fcv_image{};
}

extern "C" int
fcv_image_crop(const struct fcv_image *src, const struct fcv_rect *r, int out_w,
    int out_h, struct fcv_image *out)
{
	if (out == nullptr)
		return EG_ERR_INVAL;
	*out = fcv_image{};
	try {
		cv::Mat m;
		if (!as_mat(src, m) || r == nullptr)
			return EG_ERR_INVAL;
		cv::Mat c = crop(m, r, out_w, out_h);
		int ret = from_mat(c, out);
		wipe(c);
		return ret;
	} catch (...) {
		return map_exception(EG_ERR_IMAGE);
	}
}

extern "C" int
fcv_warp_affine(const struct fcv_image *src, const double mat[6], int out_w, int out_h,
    struct fcv_image *out)
{
	if (out == nullptr)
		return EG_ERR_INVAL;
	*out = fcv_image{};
	try {
		cv::Mat m;
		if (!as_mat(src, m) || mat == nullptr || out_w <= 0 || out_h <= 0 ||
		    out_w > 4096 || out_h > 4096)
			return EG_ERR_INVAL;
		for (int i = 0; i < 6; i++)
			if (!std::isfinite(mat[i]))
				return EG_ERR_INVAL;
		cv::Mat M(2, 3, CV_64F, const_cast<double *>(mat));
		cv::Mat dst;
		cv::warpAffine(m, dst, M, cv::Size(out_w, out_h), cv::INTER_LINEAR,
		    cv::BORDER_CONSTANT, cv::Scalar::all(0));
		int ret = from_mat(dst, out);
		wipe(dst);
		return ret;
	} catch (...) {
		return map_exception(EG_ERR_IMAGE);
	}
}

extern "C" int
fcv_image_stats(const struct fcv_image *src, const struct fcv_rect *r, struct fcv_stats *out)
{
	if (out == nullptr)
		return EG_ERR_INVAL;
	*out = fcv_stats{};
	try {
		cv::Mat m;
		if (!as_mat(src, m) || r == nullptr)
			return EG_ERR_INVAL;
		// Clip the region to the image: padding would fake dark pixels.
		cv::Rect want((int)std::lround(r->x), (int)std::lround(r->y),
		    (int)std::lround(r->w), (int)std::lround(r->h));
		cv::Rect in = want & cv::Rect(0, 0, m.cols, m.rows);
		if (in.width < 8 || in.height < 8)
			return EG_ERR_INVAL;
		cv::Mat grey, small, lap;
		cv::cvtColor(m(in), grey, cv::COLOR_BGR2GRAY);
		cv::resize(grey, small, cv::Size(128, 128), 0, 0, cv::INTER_AREA);
		cv::Laplacian(small, lap, CV_64F, 1);
		cv::Scalar mu, sd;
		cv::meanStdDev(lap, mu, sd);
		out->laplacian_var = sd[0] * sd[0];
		out->mean = cv::mean(small)[0];
		double n = (double)small.total();
		out->dark_frac = (double)cv::countNonZero(small <= 5) / n;
		out->bright_frac = (double)cv::countNonZero(small >= 250) / n;
		wipe(grey);
		wipe(small);
		wipe(lap);
		return EG_OK;
	} catch (...) {
		return map_exception(EG_ERR_IMAGE);
	}
}

extern "C" int
fcv_net_load(const uint8_t *onnx, size_t len, struct fcv_net **out)
{
	if (out == nullptr)
		return EG_ERR_INVAL;
	*out = nullptr;
	if (onnx == nullptr || len == 0)
		return EG_ERR_INVAL;
	struct fcv_net *n = nullptr;
	try {
		n = new fcv_net;
		n->net = cv::dnn::readNetFromONNX((const char *)onnx, len);
		if (n->net.empty()) {
			delete n;
			return EG_ERR_MODEL;
		}
		n->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
		n->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
		*out = n;
		return EG_OK;
	} catch (...) {
		delete n;
		return map_exception(EG_ERR_MODEL);
	}
}

extern "C" void
fcv_net_free(struct fcv_net **net)
{
	if (net == nullptr || *net == nullptr)
		return;
	try {
		delete *net;
	} catch (...) {
		// a destructor that throws has nothing left to tell us
	}
	*net = nullptr;
}

extern "C" int
fcv_net_run(struct fcv_net *net, const struct fcv_image *img, const struct fcv_rect *r,
    const struct fcv_blob_spec *spec, int nout, const char *const *names,
    float *const *outs, size_t *out_lens)
{
	if (net == nullptr || spec == nullptr || nout <= 0 || nout > 8 || names == nullptr ||
	    outs == nullptr || out_lens == nullptr || spec->width <= 0 || spec->height <= 0 ||
	    spec->width > 4096 || spec->height > 4096)
		return EG_ERR_INVAL;
	cv::Mat blob;
	int ret = EG_ERR_MODEL;
	try {
		cv::Mat m;
		if (!as_mat(img, m))
			return EG_ERR_INVAL;
		cv::Mat in = crop(m, r, spec->width, spec->height);
		int planes = spec->chan == FCV_CHAN_GREY ? 1 : 3;
		int dims[4] = { 1, planes, spec->height, spec->width };
		blob.create(4, dims, CV_32F);
		cv::Mat grey;
		if (planes == 1)
			cv::cvtColor(in, grey, cv::COLOR_BGR2GRAY);
		for (int c = 0; c < planes; c++) {
			// BGR source channel feeding input plane c
			int src_c = spec->chan == FCV_CHAN_RGB ? 2 - c : c;
			float mean = spec->mean[c], sd = spec->std[c];
			if (!(sd > 0.0f) || !std::isfinite(mean))
				throw std::invalid_argument("bad normalisation");
			float *plane = blob.ptr<float>(0, c);
			for (int y = 0; y < spec->height; y++) {
				const uint8_t *row = planes == 1 ? grey.ptr<uint8_t>(y) : in.ptr<uint8_t>(y);
				for (int x = 0; x < spec->width; x++) {
					float v = planes == 1 ? row[x] : row[x * 3 + src_c];
					plane[y * spec->width + x] = (v - mean) / sd;
				}
			}
		}
		wipe(in);
		wipe(grey);
		net->net.setInput(blob, "input");
		std::vector<cv::Mat> res;
		std::vector<cv::String> want;
		for (int i = 0; i < nout; i++) {
			if (names[i] == nullptr || outs[i] == nullptr)
				throw std::invalid_argument("bad output");
			want.emplace_back(names[i]);
		}
		net->net.forward(res, want);
		ret = EG_OK;
		for (int i = 0; i < nout; i++) {
			if (i >= (int)res.size() || res[i].type() != CV_32F ||
			    res[i].total() > out_lens[i] || !res[i].isContinuous()) {
				ret = EG_ERR_MODEL;
				break;
			}
			std::memcpy(outs[i], res[i].ptr<float>(), res[i].total() * sizeof(float));
			out_lens[i] = res[i].total();
		}
		for (auto &x : res)
			wipe(x);
	} catch (...) {
		ret = map_exception(EG_ERR_MODEL);
	}
	try {
		wipe(blob);
	} catch (...) {
	}
	return ret;
}
