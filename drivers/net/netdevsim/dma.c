// SPDX-License-Identifier: GPL-2.0
/*
 * netdevsim DMA: each bus device sits behind an IOMMU of its own, so that
 * the addresses a driver or a memory provider hands the device are checked
 * the way real hardware checks them.
 *
 * Mapping memory hands out an address from a private IOVA space, never the
 * physical one: a range of IOVA pages taken from a counter that only grows,
 * followed by one unmapped page, and recorded page by page in a table. An
 * address is never handed out twice, so a device write after an unmap, or
 * past the end of a mapping, finds no translation and is dropped. Memory
 * without struct pages (dma_map_resource()) cannot be mapped at all.
 *
 * The emulated device is cache coherent: syncs only check that the range is
 * mapped. Misuse is counted, never warned about, per bus device in a record
 * that outlives the device: a provider may unmap long after the device was
 * deleted, and a test reads what happened in /sys/kernel/debug/netdevsim/dma.
 *
 * The DMA ops need CONFIG_ARCH_HAS_DMA_OPS (x86: CONFIG_GART_IOMMU) and a
 * 64-bit dma_addr_t for the IOVA space; without them the device uses
 * dma-direct and only the counters are kept.
 */

#include <linux/debugfs.h>
#include <linux/dma-map-ops.h>
#include <linux/highmem.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "netdevsim.h"

/* Far above any physical address, so that a missed translation shows. */
#define NSIM_DMA_IOVA_BASE	BIT_ULL(40)

/**
 * struct nsim_dma_map - one mapping, stored at each of its IOVA pages
 * @iova: the address handed out, in-page offset of @phys included
 * @phys: the first byte mapped
 * @size: the number of bytes mapped
 * @dir: the direction it was mapped for
 */
struct nsim_dma_map {
	dma_addr_t iova;
	phys_addr_t phys;
	size_t size;
	enum dma_data_direction dir;
};

/* Records by bus device ID, for debugfs; replaced when an ID is reused. */
static DEFINE_XARRAY(nsim_dma_records);
static DEFINE_MUTEX(nsim_dma_records_lock);
static struct dentry *nsim_dma_dfs;

static void nsim_dma_stats_put(struct nsim_dma_stats *stats)
{
	if (refcount_dec_and_test(&stats->ref))
		kfree(stats);
}

static struct nsim_dma *nsim_dev_dma(struct device *dev)
{
	return &container_of(dev, struct nsim_bus_dev, dev)->dma;
}

static unsigned long nsim_dma_pfn(dma_addr_t addr)
{
	return addr >> PAGE_SHIFT;
}

static unsigned long nsim_dma_last_pfn(const struct nsim_dma_map *map)
{
	return nsim_dma_pfn(map->iova + map->size - 1);
}

/* The mapping that covers [@addr, @addr + @size), or NULL. */
static struct nsim_dma_map *
nsim_dma_find(struct nsim_dma *dma, dma_addr_t addr, size_t size)
{
	struct nsim_dma_map *map;
	dma_addr_t off;

	lockdep_assert_held(&dma->iova.xa_lock);

	map = xa_load(&dma->iova, nsim_dma_pfn(addr));
	if (!map || addr < map->iova)
		return NULL;
	off = addr - map->iova;
	if (off > map->size || size > map->size - off)
		return NULL;
	return map;
}

static dma_addr_t nsim_dma_map_phys(struct device *dev, phys_addr_t phys,
				    size_t size, enum dma_data_direction dir)
{
	struct nsim_dma *dma = nsim_dev_dma(dev);
	unsigned long first, pfn, flags;
	struct nsim_dma_map *map;
	int err = 0;

	if (!size)
		return DMA_MAPPING_ERROR;
	map = kmalloc(sizeof(*map), GFP_ATOMIC | __GFP_NOWARN);
	if (!map)
		return DMA_MAPPING_ERROR;
	map->phys = phys;
	map->size = size;
	map->dir = dir;

	xa_lock_irqsave(&dma->iova, flags);
	first = dma->next_pfn;
	map->iova = ((dma_addr_t)first << PAGE_SHIFT) + offset_in_page(phys);
	/* never reused, and an unmapped page after each mapping */
	dma->next_pfn = nsim_dma_last_pfn(map) + 2;

	for (pfn = first; pfn <= nsim_dma_last_pfn(map); pfn++) {
		err = xa_err(__xa_store(&dma->iova, pfn, map,
					GFP_ATOMIC | __GFP_NOWARN));
		if (err)
			break;
	}
	if (err) {
		while (pfn-- > first)
			__xa_erase(&dma->iova, pfn);
	} else {
		atomic64_inc(&dma->stats->live);
		atomic64_add(size, &dma->stats->mapped_bytes);
	}
	xa_unlock_irqrestore(&dma->iova, flags);

	if (err) {
		kfree(map);
		return DMA_MAPPING_ERROR;
	}
	return map->iova;
}

static void nsim_dma_unmap_one(struct device *dev, dma_addr_t addr,
			       size_t size, enum dma_data_direction dir)
{
	struct nsim_dma *dma = nsim_dev_dma(dev);
	struct nsim_dma_map *map;
	unsigned long pfn, flags;

	xa_lock_irqsave(&dma->iova, flags);
	map = xa_load(&dma->iova, nsim_dma_pfn(addr));
	if (!map || map->iova != addr) {
		atomic64_inc(&dma->stats->bad_unmaps);
		xa_unlock_irqrestore(&dma->iova, flags);
		return;
	}
	/* a wrong size or direction is counted, and unmaps all the same */
	if (map->size != size || map->dir != dir)
		atomic64_inc(&dma->stats->bad_unmaps);
	for (pfn = nsim_dma_pfn(addr); pfn <= nsim_dma_last_pfn(map); pfn++)
		__xa_erase(&dma->iova, pfn);
	atomic64_dec(&dma->stats->live);
	atomic64_sub(map->size, &dma->stats->mapped_bytes);
	xa_unlock_irqrestore(&dma->iova, flags);

	kfree(map);
}

static void nsim_dma_sync_one(struct device *dev, dma_addr_t addr,
			      size_t size, enum dma_data_direction dir)
{
	struct nsim_dma *dma = nsim_dev_dma(dev);
	struct nsim_dma_map *map;
	unsigned long flags;

	xa_lock_irqsave(&dma->iova, flags);
	map = nsim_dma_find(dma, addr, size);
	/* like dma-debug: a bidirectional mapping syncs either way */
	if (!map || (map->dir != DMA_BIDIRECTIONAL && map->dir != dir))
		atomic64_inc(&dma->stats->bad_syncs);
	xa_unlock_irqrestore(&dma->iova, flags);
}

/* DMA_ATTR_*: the device is cache coherent and has no use for any of them
 * (SKIP_CPU_SYNC, WEAK_ORDERING); mapping never needs a CPU sync.
 */
static dma_addr_t nsim_dma_map_page(struct device *dev, struct page *page,
				    unsigned long offset, size_t size,
				    enum dma_data_direction dir,
				    unsigned long attrs)
{
	return nsim_dma_map_phys(dev, page_to_phys(page) + offset, size, dir);
}

static void nsim_dma_unmap_page(struct device *dev, dma_addr_t addr,
				size_t size, enum dma_data_direction dir,
				unsigned long attrs)
{
	nsim_dma_unmap_one(dev, addr, size, dir);
}

static void nsim_dma_unmap_sg(struct device *dev, struct scatterlist *sgl,
			      int nents, enum dma_data_direction dir,
			      unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		nsim_dma_unmap_one(dev, sg_dma_address(sg), sg_dma_len(sg),
				   dir);
}

/* Each entry is mapped on its own, no merging: the DMA segments are the
 * CPU ones, and unmap_sg and the sg syncs see every entry mapped.
 */
static int nsim_dma_map_sg(struct device *dev, struct scatterlist *sgl,
			   int nents, enum dma_data_direction dir,
			   unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i) {
		sg_dma_address(sg) = nsim_dma_map_phys(dev, sg_phys(sg),
						       sg->length, dir);
		if (sg_dma_address(sg) == DMA_MAPPING_ERROR)
			goto err_unmap;
		sg_dma_len(sg) = sg->length;
	}
	return nents;

err_unmap:
	nsim_dma_unmap_sg(dev, sgl, i, dir, attrs);
	return -EIO;
}

/* Both directions: the device is cache coherent, only check the range. */
static void nsim_dma_sync_single(struct device *dev, dma_addr_t addr,
				 size_t size, enum dma_data_direction dir)
{
	nsim_dma_sync_one(dev, addr, size, dir);
}

static void nsim_dma_sync_sg(struct device *dev, struct scatterlist *sgl,
			     int nents, enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		nsim_dma_sync_one(dev, sg_dma_address(sg), sg_dma_len(sg),
				  dir);
}

/*
 * No alloc/free: the device needs no coherent memory, and without them
 * dma_alloc_coherent() returns NULL. No map_resource: memory without
 * struct pages (a dma-buf of device memory) cannot be mapped, and
 * dma_map_resource() returns DMA_MAPPING_ERROR.
 */
static const struct dma_map_ops nsim_dma_ops = {
	.map_page		= nsim_dma_map_page,
	.unmap_page		= nsim_dma_unmap_page,
	.map_sg			= nsim_dma_map_sg,
	.unmap_sg		= nsim_dma_unmap_sg,
	.sync_single_for_cpu	= nsim_dma_sync_single,
	.sync_single_for_device	= nsim_dma_sync_single,
	.sync_sg_for_cpu	= nsim_dma_sync_sg,
	.sync_sg_for_device	= nsim_dma_sync_sg,
};

/* Check, or with @skb also copy, [@addr, @addr + @len) one IOVA page at a
 * time, as the IOMMU translates each page of a transfer on its own.
 */
static bool nsim_dma_walk(struct nsim_dma *dma, dma_addr_t addr,
			  unsigned int len, const struct sk_buff *skb,
			  unsigned int offset)
{
	dma_addr_t end = addr + len, next;

	for (; addr < end; addr = next) {
		struct nsim_dma_map *map;
		phys_addr_t phys;
		void *va;

		next = min_t(dma_addr_t, end,
			     round_down(addr, PAGE_SIZE) + PAGE_SIZE);
		map = nsim_dma_find(dma, addr, next - addr);
		if (!map || map->dir == DMA_TO_DEVICE)
			return false;
		if (!skb)
			continue;

		phys = map->phys + (addr - map->iova);
		va = kmap_local_page(pfn_to_page(PHYS_PFN(phys)));
		skb_copy_bits(skb, offset, va + offset_in_page(phys),
			      next - addr);
		kunmap_local(va);
		offset += next - addr;
	}
	return true;
}

/**
 * nsim_dma_write() - write to memory the way the device does, through its IOMMU
 * @nsim_bus_dev: the device
 * @addr: the DMA address the driver gave the device
 * @skb: the data to write
 * @offset: where in @skb it starts
 * @len: its length
 *
 * Every page of the destination is translated before anything is written:
 * if one is not mapped, or not mapped for the device to write, nothing is
 * and the write is counted as dropped. Only for a device with the netdevsim
 * DMA ops, see nsim_dma_has_iommu().
 *
 * Context: any; takes the IOVA lock with interrupts off.
 * Return: true if @len bytes were written, false if the write was dropped.
 */
bool nsim_dma_write(struct nsim_bus_dev *nsim_bus_dev, dma_addr_t addr,
		    const struct sk_buff *skb, unsigned int offset,
		    unsigned int len)
{
	struct nsim_dma *dma = &nsim_bus_dev->dma;
	unsigned long flags;
	bool ok = false;

	xa_lock_irqsave(&dma->iova, flags);
	/* the copy runs under the lock: an unmap waits for the write */
	if (addr + len >= addr &&	/* no wrap-around */
	    nsim_dma_walk(dma, addr, len, NULL, 0))
		ok = nsim_dma_walk(dma, addr, len, skb, offset);
	xa_unlock_irqrestore(&dma->iova, flags);

	if (!ok)
		nsim_dma_count_drop(nsim_bus_dev);
	return ok;
}

/**
 * nsim_dma_count_drop() - count a device write that could not be done
 * @nsim_bus_dev: the device
 *
 * For writes refused without going through nsim_dma_write(), as when the
 * device has no IOMMU and the memory has no struct page.
 */
void nsim_dma_count_drop(struct nsim_bus_dev *nsim_bus_dev)
{
	atomic64_inc(&nsim_bus_dev->dma.stats->dropped_writes);
}

/**
 * nsim_dma_has_iommu() - whether a device reaches memory through its IOMMU
 * @nsim_bus_dev: the device
 *
 * Return: true if the device has the netdevsim DMA ops, so that its DMA
 * addresses are IOVAs to write to with nsim_dma_write(); false if it uses
 * dma-direct (no CONFIG_ARCH_HAS_DMA_OPS).
 */
bool nsim_dma_has_iommu(struct nsim_bus_dev *nsim_bus_dev)
{
	return get_dma_ops(&nsim_bus_dev->dev) == &nsim_dma_ops;
}

/**
 * nsim_dma_init() - give a new bus device its IOMMU and a fresh record
 * @nsim_bus_dev: the device, not registered yet, ID set
 *
 * Replaces the record of an earlier device with the same ID; that device,
 * if still referenced, keeps counting into its own. Call before setting the
 * DMA mask, which looks at the DMA ops to decide whether syncs are needed.
 *
 * Context: process; the caller serialises device creation.
 * Return: 0 or a negative errno.
 */
int nsim_dma_init(struct nsim_bus_dev *nsim_bus_dev)
{
	struct nsim_dma *dma = &nsim_bus_dev->dma;
	struct nsim_dma_stats *stats, *old;

	stats = kzalloc(sizeof(*stats), GFP_KERNEL);
	if (!stats)
		return -ENOMEM;
	refcount_set(&stats->ref, 2);

	mutex_lock(&nsim_dma_records_lock);
	old = xa_store(&nsim_dma_records, nsim_bus_dev->dev.id, stats,
		       GFP_KERNEL);
	mutex_unlock(&nsim_dma_records_lock);
	if (xa_is_err(old)) {
		kfree(stats);
		return xa_err(old);
	}
	if (old)
		nsim_dma_stats_put(old);

	xa_init_flags(&dma->iova, XA_FLAGS_LOCK_IRQ);
	dma->next_pfn = NSIM_DMA_IOVA_BASE >> PAGE_SHIFT;
	dma->stats = stats;
	/* a no-op without CONFIG_ARCH_HAS_DMA_OPS; IOVAs need 64 bits */
	if (IS_ENABLED(CONFIG_64BIT))
		set_dma_ops(&nsim_bus_dev->dev, &nsim_dma_ops);
	return 0;
}

/**
 * nsim_dma_uninit() - free a bus device's IOMMU table
 * @nsim_bus_dev: the device, with no users left
 *
 * Mappings still live were leaked by their owner: their table entries are
 * freed, and they stay counted in the device's record.
 */
void nsim_dma_uninit(struct nsim_bus_dev *nsim_bus_dev)
{
	struct nsim_dma *dma = &nsim_bus_dev->dma;
	struct nsim_dma_map *map;
	unsigned long pfn;

	/* a mapping is seen once per page, for the last time at its last */
	xa_for_each(&dma->iova, pfn, map)
		if (pfn == nsim_dma_last_pfn(map))
			kfree(map);
	xa_destroy(&dma->iova);
	nsim_dma_stats_put(dma->stats);
}

static int nsim_dma_records_show(struct seq_file *file, void *data)
{
	struct nsim_dma_stats *stats;
	unsigned long id;

	mutex_lock(&nsim_dma_records_lock);
	xa_for_each(&nsim_dma_records, id, stats)
		seq_printf(file,
			   "%s%lu live=%lld mapped_bytes=%lld dropped_writes=%lld bad_syncs=%lld bad_unmaps=%lld\n",
			   DRV_NAME, id, atomic64_read(&stats->live),
			   atomic64_read(&stats->mapped_bytes),
			   atomic64_read(&stats->dropped_writes),
			   atomic64_read(&stats->bad_syncs),
			   atomic64_read(&stats->bad_unmaps));
	mutex_unlock(&nsim_dma_records_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nsim_dma_records);

/**
 * nsim_dma_mod_init() - add the "dma" file to the module's debugfs directory
 *
 * Call after nsim_dev_init(), which creates the directory. Without debugfs
 * the records are kept all the same.
 */
void nsim_dma_mod_init(void)
{
	struct dentry *ddir;

	ddir = debugfs_lookup(DRV_NAME, NULL);
	if (IS_ERR_OR_NULL(ddir))
		return;
	nsim_dma_dfs = debugfs_create_file("dma", 0400, ddir, NULL,
					   &nsim_dma_records_fops);
	dput(ddir);
}

/**
 * nsim_dma_mod_exit() - remove the "dma" file and free all records
 *
 * Call once every bus device has been released.
 */
void nsim_dma_mod_exit(void)
{
	struct nsim_dma_stats *stats;
	unsigned long id;

	debugfs_remove(nsim_dma_dfs);
	nsim_dma_dfs = NULL;
	xa_for_each(&nsim_dma_records, id, stats)
		nsim_dma_stats_put(stats);
	xa_destroy(&nsim_dma_records);
}
