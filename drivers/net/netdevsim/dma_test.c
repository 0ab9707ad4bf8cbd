// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for netdevsim's DMA emulation (dma.c).
 *
 * Each case gives a bus device, never registered on the netdevsim bus,
 * netdevsim's DMA ops and proves that the device sits behind an IOMMU:
 * mapping memory hands out an IOVA, never the physical address, and never
 * the same IOVA twice; the emulated NIC reaches memory only through a
 * mapping, so that a write after the unmap, past the end of a mapping or
 * to memory mapped for the device to read is dropped and counted; and
 * memory without struct pages (dma_map_resource(), what a P2P dma-buf
 * exporter maps) cannot be mapped at all, where dma-direct maps it.
 */

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "netdevsim.h"

/* Far above the IDs given to real bus devices: nsim_dma_init() replaces
 * the debugfs record of the device's ID, and this one is the suite's.
 */
#define NSIM_DMA_TEST_ID	0x7ffffff0

/* Where dma.c's IOVA space starts */
#define NSIM_DMA_TEST_IOVA_BASE	BIT_ULL(40)

/* An address without a struct page or RAM behind it, as the BAR a P2P
 * exporter maps: the last page of the physical address space.
 */
#define NSIM_DMA_TEST_MMIO	(PHYS_ADDR_MAX - PAGE_SIZE + 1)

/* A device write: NSIM_DMA_TEST_LEN bytes at NSIM_DMA_TEST_OFF in a page */
#define NSIM_DMA_TEST_OFF	100
#define NSIM_DMA_TEST_LEN	256

/* How far a write that crosses the end of a mapping reaches into it */
#define NSIM_DMA_TEST_TAIL	16

#define NSIM_DMA_TEST_SG_PAGES	2

/* The device's memory is kunit's for no longer than the test: it is freed
 * when the last reference goes, as the bus's own devices are.
 */
static void nsim_dma_test_release(struct device *dev)
{
	kfree(container_of(dev, struct nsim_bus_dev, dev));
}

static int nsim_dma_test_init(struct kunit *test)
{
	struct nsim_bus_dev *nsim_bus_dev;
	int err;

	nsim_bus_dev = kzalloc(sizeof(*nsim_bus_dev), GFP_KERNEL);
	if (!nsim_bus_dev)
		return -ENOMEM;
	nsim_bus_dev->dev.id = NSIM_DMA_TEST_ID;
	nsim_bus_dev->dev.release = nsim_dma_test_release;
	device_initialize(&nsim_bus_dev->dev);
	err = dev_set_name(&nsim_bus_dev->dev, "nsim_dma_test");
	if (err)
		goto err_put;

	/* as nsim_bus_dev_new(): the ops first, the mask looks at them */
	err = nsim_dma_init(nsim_bus_dev);
	if (err)
		goto err_put;
	/* from here on the exit function cleans up */
	test->priv = nsim_bus_dev;
	nsim_bus_dev->dev.dma_mask = &nsim_bus_dev->dev.coherent_dma_mask;
	err = dma_set_mask_and_coherent(&nsim_bus_dev->dev, DMA_BIT_MASK(64));
	if (err)
		return err;

	if (!nsim_dma_has_iommu(nsim_bus_dev))
		kunit_skip(test,
			   "no netdevsim DMA ops: needs CONFIG_ARCH_HAS_DMA_OPS and 64-bit");
	return 0;

err_put:
	put_device(&nsim_bus_dev->dev);
	return err;
}

static void nsim_dma_test_exit(struct kunit *test)
{
	struct nsim_bus_dev *nsim_bus_dev = test->priv;

	if (!nsim_bus_dev)
		return;
	nsim_dma_uninit(nsim_bus_dev);
	put_device(&nsim_bus_dev->dev);
}

static void nsim_dma_test_free_page(void *page)
{
	__free_page(page);
}

static void nsim_dma_test_free_skb(void *skb)
{
	consume_skb(skb);
}

static void nsim_dma_test_free_sgt(void *sgt)
{
	sg_free_table(sgt);
}

/* A zeroed page, freed when the test ends */
static struct page *nsim_dma_test_page(struct kunit *test)
{
	struct page *page;
	int err;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, page);
	err = kunit_add_action_or_reset(test, nsim_dma_test_free_page, page);
	KUNIT_ASSERT_EQ(test, err, 0);
	return page;
}

/* An skb of @len bytes of a pattern with no zero byte, freed when the
 * test ends
 */
static struct sk_buff *nsim_dma_test_skb(struct kunit *test, unsigned int len)
{
	struct sk_buff *skb;
	unsigned int i;
	u8 *pattern;
	int err;

	pattern = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pattern);
	for (i = 0; i < len; i++)
		pattern[i] = i % 255 + 1;

	skb = alloc_skb(len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	err = kunit_add_action_or_reset(test, nsim_dma_test_free_skb, skb);
	KUNIT_ASSERT_EQ(test, err, 0);
	skb_put_data(skb, pattern, len);
	return skb;
}

/* Whether @page is still all zeroes, as nsim_dma_test_page() gave it */
static bool nsim_dma_test_untouched(struct page *page)
{
	return !memchr_inv(page_address(page), 0, PAGE_SIZE);
}

/* A whole page mapped for the test's device, or the test fails */
static dma_addr_t nsim_dma_test_map(struct kunit *test, struct page *page,
				    enum dma_data_direction dir)
{
	struct nsim_bus_dev *nsim_bus_dev = test->priv;
	dma_addr_t addr;

	addr = dma_map_page(&nsim_bus_dev->dev, page, 0, PAGE_SIZE, dir);
	KUNIT_ASSERT_EQ_MSG(test, dma_mapping_error(&nsim_bus_dev->dev, addr),
			    0, "mapping a page failed");
	return addr;
}

static void nsim_dma_test_map_resource_refused(struct kunit *test)
{
	struct nsim_bus_dev *nsim_bus_dev = test->priv;
	struct device *dev = &nsim_bus_dev->dev;
	struct nsim_dma_stats *stats;
	dma_addr_t addr;
	int err;

	stats = nsim_bus_dev->dma.stats;
	KUNIT_ASSERT_FALSE_MSG(test, pfn_valid(PHYS_PFN(NSIM_DMA_TEST_MMIO)),
			       "the test's device memory has a struct page");

	/* At an address without RAM: nothing a later case maps can collide
	 * with what dma-debug records of this attempt.
	 */
	addr = dma_map_resource(dev, NSIM_DMA_TEST_MMIO, PAGE_SIZE,
				DMA_FROM_DEVICE, 0);
	err = dma_mapping_error(dev, addr);
	KUNIT_EXPECT_NE_MSG(test, err, 0,
			    "memory without struct pages was mapped, at %pad",
			    &addr);
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&stats->live), 0,
			    "a refused mapping is counted as live");
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->mapped_bytes), 0);
	/*
	 * Unmap even the failed mapping: dma-debug records failed resource
	 * mappings too (debug_dma_map_resource() does not check the address,
	 * unlike debug_dma_map_page()), and the record would outlive the
	 * device. Without unmap_resource ops the unmap only drops it.
	 */
	dma_unmap_resource(dev, addr, PAGE_SIZE, DMA_FROM_DEVICE, 0);
}

static void nsim_dma_test_map_page_iova(struct kunit *test)
{
	const unsigned int end = NSIM_DMA_TEST_OFF + NSIM_DMA_TEST_LEN;
	struct nsim_bus_dev *nsim_bus_dev = test->priv;
	struct nsim_dma_stats *stats;
	struct sk_buff *skb;
	struct page *page;
	dma_addr_t addr;
	bool written;
	u8 *va;

	stats = nsim_bus_dev->dma.stats;
	page = nsim_dma_test_page(test);
	va = page_address(page);
	skb = nsim_dma_test_skb(test, NSIM_DMA_TEST_LEN);

	addr = nsim_dma_test_map(test, page, DMA_FROM_DEVICE);
	KUNIT_EXPECT_NE_MSG(test, addr, page_to_phys(page),
			    "the device was given the physical address");
	KUNIT_EXPECT_GE_MSG(test, addr, NSIM_DMA_TEST_IOVA_BASE,
			    "the address is not from the IOVA space");
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&stats->live), 1,
			    "the mapping is not counted as live");
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->mapped_bytes),
			(s64)PAGE_SIZE);

	written = nsim_dma_write(nsim_bus_dev, addr + NSIM_DMA_TEST_OFF, skb,
				 0, NSIM_DMA_TEST_LEN);
	KUNIT_EXPECT_TRUE_MSG(test, written,
			      "a write through a mapping was dropped");
	dma_unmap_page(&nsim_bus_dev->dev, addr, PAGE_SIZE, DMA_FROM_DEVICE);

	KUNIT_EXPECT_MEMEQ_MSG(test, va + NSIM_DMA_TEST_OFF, skb->data,
			       NSIM_DMA_TEST_LEN,
			       "the page does not hold what the device wrote");
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(va, 0, NSIM_DMA_TEST_OFF),
			      "the device wrote before the address");
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(va + end, 0, PAGE_SIZE - end),
			      "the device wrote past the end of its data");
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&stats->dropped_writes), 0,
			    "a write through a mapping is counted as dropped");
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&stats->live), 0,
			    "the unmap did not end the mapping");
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->mapped_bytes), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->bad_unmaps), 0);
}

static void nsim_dma_test_write_after_unmap_dropped(struct kunit *test)
{
	struct nsim_bus_dev *nsim_bus_dev = test->priv;
	struct nsim_dma_stats *stats;
	dma_addr_t first, second;
	struct sk_buff *skb;
	struct page *page;
	bool written;

	stats = nsim_bus_dev->dma.stats;
	page = nsim_dma_test_page(test);
	skb = nsim_dma_test_skb(test, NSIM_DMA_TEST_LEN);

	first = nsim_dma_test_map(test, page, DMA_FROM_DEVICE);
	dma_unmap_page(&nsim_bus_dev->dev, first, PAGE_SIZE, DMA_FROM_DEVICE);

	written = nsim_dma_write(nsim_bus_dev, first, skb, 0,
				 NSIM_DMA_TEST_LEN);
	KUNIT_EXPECT_FALSE_MSG(test, written,
			       "a write after the unmap reached memory");
	KUNIT_EXPECT_TRUE_MSG(test, nsim_dma_test_untouched(page),
			      "the page was written after the unmap");
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&stats->dropped_writes), 1,
			    "the write after the unmap is not counted as dropped");
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&stats->live), 0,
			    "the unmap did not end the mapping");

	second = nsim_dma_test_map(test, page, DMA_FROM_DEVICE);
	KUNIT_EXPECT_NE_MSG(test, second, first,
			    "an IOVA was handed out again after its unmap");
	dma_unmap_page(&nsim_bus_dev->dev, second, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->live), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->bad_unmaps), 0);
}

/* A device write of @len bytes at @off in a page mapped for @dir, which
 * the IOMMU must refuse whole: @what it is, for the messages.
 */
static void nsim_dma_test_expect_dropped(struct kunit *test,
					 enum dma_data_direction dir,
					 unsigned int off, unsigned int len,
					 const char *what)
{
	struct nsim_bus_dev *nsim_bus_dev = test->priv;
	struct nsim_dma_stats *stats;
	struct sk_buff *skb;
	struct page *page;
	dma_addr_t addr;
	bool written;

	stats = nsim_bus_dev->dma.stats;
	page = nsim_dma_test_page(test);
	skb = nsim_dma_test_skb(test, len);

	addr = nsim_dma_test_map(test, page, dir);
	written = nsim_dma_write(nsim_bus_dev, addr + off, skb, 0, len);
	KUNIT_EXPECT_FALSE_MSG(test, written, "%s was done", what);
	KUNIT_EXPECT_TRUE_MSG(test, nsim_dma_test_untouched(page),
			      "%s wrote to the page", what);
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&stats->dropped_writes), 1,
			    "%s is not counted as dropped", what);
	dma_unmap_page(&nsim_bus_dev->dev, addr, PAGE_SIZE, dir);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->live), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->bad_unmaps), 0);
}

static void nsim_dma_test_write_past_end_dropped(struct kunit *test)
{
	/* nothing of it either, its first bytes inside the mapping included */
	nsim_dma_test_expect_dropped(test, DMA_FROM_DEVICE,
				     PAGE_SIZE - NSIM_DMA_TEST_TAIL,
				     2 * NSIM_DMA_TEST_TAIL,
				     "a write past the end of a mapping");
}

static void nsim_dma_test_write_to_device_only_dropped(struct kunit *test)
{
	nsim_dma_test_expect_dropped(test, DMA_TO_DEVICE, 0, NSIM_DMA_TEST_LEN,
				     "a write to memory mapped for the device to read");
}

static void nsim_dma_test_sg_mapping(struct kunit *test)
{
	struct nsim_bus_dev *nsim_bus_dev = test->priv;
	struct device *dev = &nsim_bus_dev->dev;
	struct nsim_dma_stats *stats;
	struct scatterlist *sg;
	struct sg_table *sgt;
	struct sk_buff *skb;
	unsigned int i;
	bool written;
	int err;

	stats = nsim_bus_dev->dma.stats;
	/* entry i gets bytes [i * LEN, (i + 1) * LEN) of the skb */
	skb = nsim_dma_test_skb(test,
				NSIM_DMA_TEST_SG_PAGES * NSIM_DMA_TEST_LEN);

	sgt = kunit_kzalloc(test, sizeof(*sgt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sgt);
	err = sg_alloc_table(sgt, NSIM_DMA_TEST_SG_PAGES, GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = kunit_add_action_or_reset(test, nsim_dma_test_free_sgt, sgt);
	KUNIT_ASSERT_EQ(test, err, 0);
	/* one entry per page, whether or not the pages are contiguous */
	for_each_sgtable_sg(sgt, sg, i)
		sg_set_page(sg, nsim_dma_test_page(test), PAGE_SIZE, 0);

	err = dma_map_sgtable(dev, sgt, DMA_FROM_DEVICE, 0);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "mapping the sg table failed");
	KUNIT_EXPECT_EQ_MSG(test, sgt->nents, sgt->orig_nents,
			    "the DMA segments are not the CPU ones");
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&stats->live), (s64)sgt->nents,
			    "live does not count the mapped entries");
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->mapped_bytes),
			(s64)(NSIM_DMA_TEST_SG_PAGES * PAGE_SIZE));

	for_each_sgtable_dma_sg(sgt, sg, i) {
		KUNIT_EXPECT_GE_MSG(test, sg_dma_address(sg),
				    NSIM_DMA_TEST_IOVA_BASE,
				    "entry %u's address is not from the IOVA space",
				    i);
		written = nsim_dma_write(nsim_bus_dev,
					 sg_dma_address(sg) + NSIM_DMA_TEST_OFF,
					 skb, i * NSIM_DMA_TEST_LEN,
					 NSIM_DMA_TEST_LEN);
		KUNIT_EXPECT_TRUE_MSG(test, written,
				      "a write through entry %u was dropped",
				      i);
	}

	dma_unmap_sgtable(dev, sgt, DMA_FROM_DEVICE, 0);
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&stats->live), 0,
			    "the unmap did not end every entry's mapping");
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->mapped_bytes), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->dropped_writes), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats->bad_unmaps), 0);

	for_each_sgtable_sg(sgt, sg, i)
		KUNIT_EXPECT_MEMEQ_MSG(test,
				       page_address(sg_page(sg)) +
				       NSIM_DMA_TEST_OFF,
				       skb->data + i * NSIM_DMA_TEST_LEN,
				       NSIM_DMA_TEST_LEN,
				       "entry %u's write did not land in its page",
				       i);
}

static struct kunit_case nsim_dma_test_cases[] = {
	KUNIT_CASE(nsim_dma_test_map_resource_refused),
	KUNIT_CASE(nsim_dma_test_map_page_iova),
	KUNIT_CASE(nsim_dma_test_write_after_unmap_dropped),
	KUNIT_CASE(nsim_dma_test_write_past_end_dropped),
	KUNIT_CASE(nsim_dma_test_write_to_device_only_dropped),
	KUNIT_CASE(nsim_dma_test_sg_mapping),
	{}
};

static struct kunit_suite nsim_dma_test_suite = {
	.name		= "netdevsim_dma",
	.init		= nsim_dma_test_init,
	.exit		= nsim_dma_test_exit,
	.test_cases	= nsim_dma_test_cases,
};

kunit_test_suite(nsim_dma_test_suite);
